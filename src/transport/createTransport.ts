/**
 * The one message-level transport, over any {@link Broker}.
 *
 * @packageDocumentation
 */
import { isLeft, type Either } from 'fp-ts/lib/Either.js';
import {
  BehaviorSubject,
  Subject,
  asyncScheduler,
  combineLatest,
  defer,
  distinctUntilChanged,
  map,
  race,
  take,
  takeUntil,
  throwError,
  timer,
  type Observable,
} from 'rxjs';
import type { JsonObject, JsonValue } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import type { PartialMessage } from '../codec/complete.js';
import { encodePayload, isPublishPayload } from '../codec/payload.js';
import { decodeGoMini, encodeGoMini } from '../codec/goMini.js';
import { decode, encode } from '../codec/wire.js';
import { ConfigError, TransportClosedError, type DecodeError } from '../errors.js';
import { noopLogger } from '../logger/noopLogger.js';
import { createMetrics } from '../metrics/createMetrics.js';
import { MAX_TTL_MS } from '../constant/limits.js';
import type { Broker } from '../broker/types.js';
import { consumeTopic, type ConsumeContext } from './consume.js';
import { createCounters } from './counters.js';
import { defaultDeadLetterTopic } from '../delivery/deadLetter.js';
import { createInFlight } from './inFlight.js';
import { createMiddlewareRegistry } from './middleware.js';
import { createPublisher } from './publish.js';
import { EPHEMERAL_SUFFIX, isValidName, validateTopicPrefix } from '../broker/names.js';
import { isValidNodeId, newNodeId } from './nodeId.js';
import { DEFAULT_MAX_LIST_FAILURES, DEFAULT_POLL_INTERVAL_MS, consumePrefix } from './prefix.js';
import { createRequester, replyTopicOf } from './request.js';
import { responseTo } from './respond.js';
import { createStreams } from './streams.js';
import { streamTopicOf } from './streamWire.js';
import { promiseOf } from '../delivery/settled.js';
import type {
  DiscoveryEvent,
  PublishOptions,
  ReadyObservable,
  RequestOptions,
  SubscribeBroadcastOptions,
  SubscribePrefixOptions,
  SubscribeTopicOptions,
  Transport,
  TransportOptions,
  TransportStatus,
} from './types.js';
import type { Delivery } from '../delivery/types.js';

/** Default request timeout: 15 s, as the original. */
export const DEFAULT_REQUEST_TIMEOUT_MS = 15_000;

/** Default bound of `close()`'s wait for in-flight deliveries: 10 s. */
export const DEFAULT_DRAIN_TIMEOUT_MS = 10_000;

/** Default channel when no `service` is given. */
export const DEFAULT_SERVICE = 'default';

/** Default bound on requests waiting for a response. */
export const DEFAULT_MAX_PENDING_REQUESTS = 10_000;

/** Longest prefix poll interval accepted, in ms. */
export const MAX_POLL_INTERVAL_MS = 60_000;

const inRange = (value: unknown, min: number, max: number): value is number =>
  typeof value === 'number' && value >= min && value <= max;

const isListFailureBound = (v: unknown): v is number =>
  v === Number.POSITIVE_INFINITY || (Number.isSafeInteger(v) && (v as number) >= 1);

const option = <T>(
  name: string,
  value: T | undefined,
  fallback: T,
  ok: (v: T) => boolean,
  rule: string,
): T => {
  const resolved = value ?? fallback;
  if (!ok(resolved)) throw new ConfigError(`transport option ${name} ${rule}, got ${String(value)}`);
  return resolved;
};

/** Bytes to messages and back, in the wire form the `compat` option names. */
interface Wire {
  readonly encode: (msg: Message) => Uint8Array;
  readonly decode: (bytes: Uint8Array) => Either<DecodeError, Message>;
}

const wireOf = (options: TransportOptions): Wire => {
  const compat = options.compat ?? 'strict';
  if (compat !== 'strict' && compat !== 'go-mini') {
    throw new ConfigError(`transport option compat must be 'strict' or 'go-mini', got ${String(compat)}`);
  }
  const { defaultMessageType } = options;
  if (defaultMessageType !== undefined) {
    if (compat !== 'go-mini') {
      throw new ConfigError("transport option defaultMessageType applies only with compat 'go-mini'");
    }
    if (typeof defaultMessageType !== 'string' || defaultMessageType.trim() === '') {
      throw new ConfigError(
        `transport option defaultMessageType must be a non-empty string, got ${String(defaultMessageType)}`,
      );
    }
  }
  if (compat === 'strict') return { encode, decode };
  const goOptions = defaultMessageType === undefined ? {} : { defaultType: defaultMessageType };
  return { encode: encodeGoMini, decode: (bytes) => decodeGoMini(bytes, goOptions) };
};

/**
 * Creates the message-level transport over `broker`: publish, request/response
 * on one muxed reply topic, broadcast, topic and prefix subscriptions, retries
 * with backoff, dead letters, middleware and a graceful drain. Every rxmini
 * transport is this function over some broker (`memoryTransport`,
 * `nsqTransport`), so they all behave the same.
 *
 * Throws a `ConfigError` for an invalid option (a node id that is not 1–20
 * characters of `[a-zA-Z0-9_-]`, a service that is not a valid channel name, a
 * timeout out of range, …).
 *
 * @example
 * ```ts
 * import { firstValueFrom } from 'rxjs';
 * import { createTransport, memoryBroker, handleDeliveries } from 'rxmini';
 * const bus = createTransport(memoryBroker(), { service: 'auth', requestTimeoutMs: 2_000 });
 * bus.subscribeTopic('auth.login')
 *   .pipe(handleDeliveries((d) => bus.respond(d.message, { token: 'jwt123' })))
 *   .subscribe();
 * const reply = await firstValueFrom(bus.request('auth.login', { email: 'a@b.c' }));
 * await bus.close();
 * ```
 * @see {@link Transport}
 */
export const createTransport = (broker: Broker, options: TransportOptions = {}): Transport => {
  const random = options.random ?? Math.random;
  const nodeId = option(
    'nodeId',
    options.nodeId,
    newNodeId(random),
    isValidNodeId,
    'must be 1-20 characters of [a-zA-Z0-9_-]',
  );
  const service = option(
    'service',
    options.service,
    DEFAULT_SERVICE,
    (s) => isValidName(s) && !s.endsWith(EPHEMERAL_SUFFIX),
    'must be a valid, durable channel name',
  );
  const requestTimeoutMs = option(
    'requestTimeoutMs',
    options.requestTimeoutMs,
    DEFAULT_REQUEST_TIMEOUT_MS,
    (v) => inRange(v, 0, MAX_TTL_MS),
    `must be from 0 to ${MAX_TTL_MS}`,
  );
  const pollIntervalMs = option(
    'pollIntervalMs',
    options.pollIntervalMs,
    DEFAULT_POLL_INTERVAL_MS,
    (v) => inRange(v, 1, MAX_POLL_INTERVAL_MS),
    `must be from 1 to ${MAX_POLL_INTERVAL_MS}`,
  );
  const maxListFailures = option(
    'maxListFailures',
    options.maxListFailures,
    DEFAULT_MAX_LIST_FAILURES,
    isListFailureBound,
    'must be a positive integer or Infinity',
  );
  const drainTimeoutMs = option(
    'drainTimeoutMs',
    options.drainTimeoutMs,
    DEFAULT_DRAIN_TIMEOUT_MS,
    (v) => inRange(v, 0, MAX_TTL_MS),
    `must be from 0 to ${MAX_TTL_MS}`,
  );
  const maxPendingRequests = option(
    'maxPendingRequests',
    options.maxPendingRequests,
    DEFAULT_MAX_PENDING_REQUESTS,
    (v) => Number.isSafeInteger(v) && v >= 1,
    'must be a positive integer',
  );
  const wire = wireOf(options);
  const scheduler = options.scheduler ?? asyncScheduler;
  const logger = (options.logger ?? noopLogger).with('node', nodeId);
  const counters = createCounters(options.metrics ?? createMetrics({ scheduler }), logger);
  const deadLetterTopic = options.deadLetterTopic ?? defaultDeadLetterTopic;
  const replyTopic = replyTopicOf(nodeId);
  const broadcastChannel = `${nodeId}${EPHEMERAL_SUFFIX}`;

  const middleware = createMiddlewareRegistry();
  const inFlight = createInFlight();
  const draining$ = new BehaviorSubject(false);
  const discovery = new Subject<DiscoveryEvent>();
  const stop$ = new Subject<void>();
  let closing: Promise<void> | undefined;
  let brokerClosed = false;

  const publisher = createPublisher(broker, counters, () => brokerClosed, wire.encode);
  /** A payload that is not a message, encoded as `payload` says, sent as it is. */
  const publishPayload = (
    topic: string,
    value: unknown,
    payload: unknown,
    delayMs: number | undefined,
  ): Observable<void> => {
    if (!isPublishPayload(payload)) {
      return throwError(
        () =>
          new ConfigError(
            `publish option payload must be 'message', 'json', 'bytes' or an io-ts codec, got ${String(payload)}`,
          ),
      );
    }
    if (payload === 'message') {
      return delayMs === undefined
        ? publisher.publish(topic, value as PartialMessage)
        : publisher.publishDeferred(topic, value as PartialMessage, delayMs);
    }
    const bytes = encodePayload(value, payload);
    return isLeft(bytes) ? throwError(() => bytes.left) : publisher.publishBytes(topic, bytes.right, delayMs);
  };
  // a publish the broker took at once gives a promise that says so: handleDeliveries then acks in the same frame
  const publish = (topic: string, msg: PartialMessage, opts?: PublishOptions): Promise<void> =>
    promiseOf(
      opts?.payload === undefined
        ? publisher.publish(topic, msg)
        : publishPayload(topic, msg, opts.payload, undefined),
    );
  const publishDeferred = (
    topic: string,
    msg: PartialMessage,
    delayMs: number,
    opts?: PublishOptions,
  ): Promise<void> =>
    promiseOf(
      opts?.payload === undefined
        ? publisher.publishDeferred(topic, msg, delayMs)
        : publishPayload(topic, msg, opts.payload, delayMs),
    );

  const requester = createRequester({
    broker,
    scheduler,
    logger,
    counters,
    replyTopic,
    requestTimeoutMs,
    maxPendingRequests,
    publish: publisher.publish,
    decode: wire.decode,
  });

  const streams = createStreams({
    broker,
    scheduler,
    logger,
    streamTopic: streamTopicOf(nodeId),
    requestTimeoutMs,
    maxStreams: maxPendingRequests,
    publish: publisher.publish,
    decode: wire.decode,
  });

  const consumeContext: ConsumeContext = {
    broker,
    scheduler,
    logger,
    random,
    counters,
    retry: options.retry ?? {},
    deadLetterTopic,
    publish: publisher.publish,
    middleware,
    inFlight,
    draining$: draining$.asObservable(),
    isDraining: () => draining$.value,
    isClosed: () => closing !== undefined,
    stop$,
    decode: wire.decode,
  };

  /** A consumer of `topic` on `channel` with its `ready` promise (see {@link ReadyObservable}). */
  const consumeWithReady = (
    topic: string,
    channel: string,
    opts: SubscribeTopicOptions,
  ): ReadyObservable<Delivery> => {
    let resolve: () => void = () => undefined;
    let reject: (error: unknown) => void = () => undefined;
    const ready = new Promise<void>((onReady, onFailed) => {
      resolve = onReady;
      reject = onFailed;
    });
    // a caller who never awaits `ready` must not get an unhandled rejection
    ready.catch(() => undefined);
    const { onReady } = opts;
    const deliveries = consumeTopic(
      consumeContext,
      topic,
      channel,
      {
        ...opts,
        onReady: () => {
          resolve();
          onReady?.();
        },
      },
      reject,
    );
    return Object.assign(deliveries, { ready });
  };

  const subscribeTopic = (topic: string, opts: SubscribeTopicOptions = {}): ReadyObservable<Delivery> =>
    consumeWithReady(topic, opts.channel ?? service, opts);

  const subscribeBroadcast = (
    topic: string,
    opts: SubscribeBroadcastOptions = {},
  ): ReadyObservable<Delivery> => consumeWithReady(topic, broadcastChannel, opts);

  const subscribePrefix = (prefix: string, opts: SubscribePrefixOptions = {}): Observable<Delivery> =>
    defer(() => {
      if (closing) return throwError(() => new TransportClosedError(`subscribe to ${prefix}*`));
      const validPrefix = validateTopicPrefix(prefix);
      if (isLeft(validPrefix)) return throwError(() => validPrefix.left);
      const interval = opts.pollIntervalMs ?? pollIntervalMs;
      if (!inRange(interval, 1, MAX_POLL_INTERVAL_MS)) {
        return throwError(
          () =>
            new ConfigError(
              `subscribePrefix option pollIntervalMs must be from 1 to ${MAX_POLL_INTERVAL_MS}, got ${String(interval)}`,
            ),
        );
      }
      const listFailures = opts.maxListFailures ?? maxListFailures;
      if (!isListFailureBound(listFailures)) {
        return throwError(
          () =>
            new ConfigError(
              `subscribePrefix option maxListFailures must be a positive integer or Infinity, got ${String(listFailures)}`,
            ),
        );
      }
      const {
        pollIntervalMs: _interval,
        maxListFailures: _failures,
        includeInternal,
        includeDeadLetter,
        ...topicOptions
      } = opts;
      const fixedDeadLetter = topicOptions.deadLetterTopic;
      return consumePrefix(
        { broker, scheduler, logger, report: (event) => discovery.next(event) },
        {
          prefix,
          includeInternal: includeInternal ?? false,
          includeDeadLetter: includeDeadLetter ?? false,
          deadLetterTopic: fixedDeadLetter === undefined ? deadLetterTopic : () => fixedDeadLetter,
        },
        { pollIntervalMs: interval, maxListFailures: listFailures },
        (topic) => consumeTopic(consumeContext, topic, topicOptions.channel ?? service, topicOptions),
      ).pipe(takeUntil(stop$));
    });

  const request = (action: string, body: JsonObject = {}, opts: RequestOptions = {}): Observable<Message> =>
    requester.request(action, body, opts);

  const respond = (request: Message, result: JsonValue | Error, statusCode?: number): Promise<void> => {
    const response = responseTo(request, result, statusCode);
    if (isLeft(response)) return Promise.reject(response.left);
    return publish(response.right.topic, response.right.message);
  };

  const status$: Observable<TransportStatus> = combineLatest([broker.status$, draining$]).pipe(
    map(([status, draining]): TransportStatus => (draining && status !== 'closed' ? 'draining' : status)),
    distinctUntilChanged(),
  );

  // synchronous from the drain's end on, so that it runs in virtual time too
  const drain = (): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      draining$.next(true);
      race(inFlight.idle().pipe(map(() => true)), timer(drainTimeoutMs, scheduler).pipe(map(() => false)))
        .pipe(take(1))
        .subscribe((drained) => {
          if (!drained) {
            logger.warn('transport: drain timed out, deliveries still in flight are given back', {
              inFlight: inFlight.count,
              drainTimeoutMs,
            });
          }
          stop$.next();
          stop$.complete();
          requester.shutdown();
          streams.shutdown();
          brokerClosed = true;
          const closed = (options.closeBroker ?? true) ? broker.close() : Promise.resolve();
          closed.then(() => {
            draining$.complete();
            discovery.complete();
            resolve();
          }, reject);
        });
    });

  return {
    nodeId,
    service,
    replyTopic,
    status$,
    discovery$: discovery.asObservable(),
    get closed() {
      return closing !== undefined;
    },
    get maxMessageBytes() {
      return broker.maxMessageBytes;
    },
    // the generic signatures of Transport narrow what these take; the payload decides at run time
    publish: publish as Transport['publish'],
    publishDeferred: publishDeferred as Transport['publishDeferred'],
    request,
    respond,
    requestStream: (action, body = {}, opts = {}) => streams.requestStream(action, body, opts),
    respondStream: (request, source, opts = {}) => streams.respondStream(request, source, opts),
    broadcast: publish as Transport['broadcast'],
    subscribeTopic: subscribeTopic as Transport['subscribeTopic'],
    subscribeBroadcast: subscribeBroadcast as Transport['subscribeBroadcast'],
    subscribePrefix: subscribePrefix as Transport['subscribePrefix'],
    use: (mw, scope) => middleware.add(mw, scope),
    close: () => (closing ??= drain()),
  };
};
