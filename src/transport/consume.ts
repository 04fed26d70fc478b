/**
 * One consumer of one topic/channel as an Observable of {@link Delivery}:
 * decoding, dead-lettering what cannot be decoded, auto-touch, in-flight
 * accounting for the drain, and the operator middleware of the topic.
 *
 * @packageDocumentation
 */
import { isLeft, type Either } from 'fp-ts/lib/Either.js';
import {
  Observable,
  combineLatest,
  defer,
  distinctUntilChanged,
  map,
  startWith,
  takeUntil,
  throwError,
  type SchedulerLike,
} from 'rxjs';
import { decode, decodeHandedOver } from '../codec/wire.js';
import { isPayload } from '../codec/payload.js';
import { validateDecoded } from '../codec/validate.js';
import type { Message } from '../codec/message.js';
import { DEFAULT_MSG_TIMEOUT_MS, MAX_AUTO_TOUCH_MS } from '../constant/limits.js';
import { MessageType } from '../constant/messageType.js';
import {
  ConfigError,
  InvalidNameError,
  TransportClosedError,
  type DecodeError,
  type RxMiniError,
} from '../errors.js';
import type { ILogger } from '../logger/types.js';
import type { Broker, BrokerDelivery } from '../broker/types.js';
import { TransportMetric, type Counters } from './counters.js';
import { deadLetterReason, undecodableDeadLetter } from '../delivery/deadLetter.js';
import { createAutoToucher, type AutoToucher } from '../broker/autoTouch.js';
import { DeliveryCore, failChainOf, type DeliveryDeps, type FailChain } from '../delivery/delivery.js';
import type { InFlight } from './inFlight.js';
import type { MiddlewareRegistry } from './middleware.js';
import { isValidTopic, validateChannel, validateTopic } from '../broker/names.js';
import { backoffDelay } from '../delivery/retry.js';
import { resolveRetryPolicy } from './retry.js';
import type { RetryPolicies, SubscribeTopicOptions } from './types.js';
import type { Delivery, RetryPolicy } from '../delivery/types.js';
import { deadLetterFailHandler } from '../operators/deadLetter.js';
import { retryFailHandler } from '../operators/retryWithBackoff.js';
import { decodePayload } from '../operators/decodePayload.js';

/**
 * Delay of a requeue made while draining. A draining transport pauses its
 * consumers at the broker, so this is only for a delivery that was already on
 * its way then (NSQ): it goes back for another consumer, without bouncing
 * straight back to this one.
 */
export const DRAIN_REQUEUE_DELAY_MS = 1_000;

/**
 * Default `maxInFlight` of a subscription: 100 deliveries handed out and not
 * yet acknowledged. It bounds what a consumer holds in memory (at most 100
 * messages, each at most the broker's `maxMessageBytes`) while letting one
 * consumer serve many requests at once; with 1, a service answers one request
 * per round trip to the broker, and 1,000 concurrent requests queue behind each
 * other (p50 545 ms against 105 ms tuned: docs/benchmarks.md, "first use").
 */
export const DEFAULT_MAX_IN_FLIGHT = 100;

/** What every consumer of a transport shares. */
export interface ConsumeContext {
  readonly broker: Broker;
  readonly scheduler: SchedulerLike;
  readonly logger: ILogger;
  readonly random: () => number;
  readonly counters: Counters;
  readonly retry: RetryPolicies;
  readonly deadLetterTopic: (topic: string) => string;
  /** Cold publish: completes when the broker took the message. */
  readonly publish: (topic: string, msg: Message) => Observable<void>;
  readonly middleware: MiddlewareRegistry;
  readonly inFlight: InFlight;
  /**
   * True while the transport drains: every consumer is paused at the broker,
   * so that new messages stay there for other consumers.
   */
  readonly draining$: Observable<boolean>;
  /** The current value of `draining$`: a delivery that comes in anyway is requeued at once. */
  readonly isDraining: () => boolean;
  /** True once the transport is closed: new subscriptions fail. */
  readonly isClosed: () => boolean;
  /** Emits when consumers must complete (after the drain). */
  readonly stop$: Observable<unknown>;
  /** Bytes to message (the transport's wire form); default {@link decode}. */
  readonly decode?: (bytes: Uint8Array) => Either<DecodeError, Message>;
}

/** Checks names, the dead-letter topic and the retry policy before anything is consumed. */
const prepare = (
  ctx: ConsumeContext,
  topic: string,
  channel: string,
  options: SubscribeTopicOptions,
): { policy: RetryPolicy; deadLetterTopic: string } | RxMiniError => {
  const topicName = validateTopic(topic);
  if (isLeft(topicName)) return topicName.left;
  const channelName = validateChannel(channel);
  if (isLeft(channelName)) return channelName.left;
  let deadLetterTopic: string;
  try {
    deadLetterTopic = options.deadLetterTopic ?? ctx.deadLetterTopic(topic);
  } catch (error) {
    return new ConfigError(`transport option deadLetterTopic threw for topic ${topic}`, { cause: error });
  }
  // the default is valid for every valid topic: an invalid name came from an option
  if (!isValidTopic(deadLetterTopic)) {
    return new InvalidNameError('topic', String(deadLetterTopic), { option: 'deadLetterTopic' });
  }
  if (options.payload !== undefined && !isPayload(options.payload)) {
    return new ConfigError(
      `subscription option payload must be 'message', 'json', 'bytes' or an io-ts codec, got ${String(options.payload)}`,
    );
  }
  const policy = resolveRetryPolicy(ctx.retry, topic, options.retry);
  if (isLeft(policy)) return policy.left;
  return { policy: policy.right, deadLetterTopic };
};

/**
 * Consumes `topic` on `channel` as decoded deliveries (see {@link Transport.subscribeTopic}).
 * Fails at once, before consuming, on an invalid topic, channel or dead-letter
 * name, or an invalid retry policy. `onFailed` hears of every error the
 * consumer itself raises (not the middleware's), before the subscriber does.
 */
export const consumeTopic = (
  ctx: ConsumeContext,
  topic: string,
  channel: string,
  options: SubscribeTopicOptions = {},
  onFailed?: (error: unknown) => void,
): Observable<Delivery> =>
  defer(() => {
    const fail = (error: RxMiniError): Observable<never> => {
      onFailed?.(error);
      return throwError(() => error);
    };
    if (ctx.isClosed()) return fail(new TransportClosedError(`subscribe to ${topic}`));
    const prepared = prepare(ctx, topic, channel, options);
    if (!('policy' in prepared)) return fail(prepared);
    const { policy, deadLetterTopic } = prepared;
    // The `retry` option is sugar for piping `deadLetter(…)` then `retryWithBackoff(policy)` first:
    // every delivery starts with those operators' own failure handlers, chained once per
    // consumer, which spares the hot path two views per message (bench: memory (b)).
    const failChain = failChainOf([
      deadLetterFailHandler({
        publish: ctx.publish,
        topic: deadLetterTopic,
        requeueDelayMs: (attempts) => backoffDelay(attempts, policy, ctx.random),
        onPublished: (ok) =>
          ctx.counters.inc(ok ? TransportMetric.deadLettered : TransportMetric.deadLetterFailed),
      }),
      retryFailHandler(policy, ctx.random),
    ]);
    const payload = options.payload ?? 'message';
    const deliveries = consumePrepared(
      ctx,
      topic,
      channel,
      options,
      policy,
      deadLetterTopic,
      failChain,
      onFailed,
    );
    return payload === 'message'
      ? deliveries.pipe(takeUntil(ctx.stop$), ctx.middleware.operatorFor(topic))
      : deliveries.pipe(takeUntil(ctx.stop$), decodePayload(payload), ctx.middleware.operatorFor(topic));
  });

/** `onReady` guarded: a callback that throws is logged, never breaks the consumer. */
const readyCallback =
  (ctx: ConsumeContext, topic: string, onReady: () => void): (() => void) =>
  () => {
    try {
      onReady();
    } catch (error) {
      ctx.logger.error('transport: onReady threw', { topic, error: deadLetterReason(error) });
    }
  };

const consumePrepared = (
  ctx: ConsumeContext,
  topic: string,
  channel: string,
  options: SubscribeTopicOptions,
  policy: RetryPolicy,
  deadLetterTopic: string,
  failChain: FailChain | undefined,
  onFailed: ((error: unknown) => void) | undefined,
): Observable<Delivery> =>
  new Observable<Delivery>((subscriber) => {
    const { scheduler, counters, logger, inFlight } = ctx;
    const decodeMessage = ctx.decode ?? decode;
    /** Not rxmini messages: the bytes go on as they came, for `decodePayload`. */
    const foreign = options.payload !== undefined && options.payload !== 'message';
    const maxInFlight = options.maxInFlight ?? options.concurrency ?? DEFAULT_MAX_IN_FLIGHT;
    const msgTimeoutMs = options.msgTimeoutMs ?? DEFAULT_MSG_TIMEOUT_MS;
    const autoTouch = options.autoTouch ?? true;

    /** Deliveries handed out and not yet acknowledged, in the transport's in-flight count (for the drain). */
    let pending = 0;
    let open = true;
    const toucher: AutoToucher<DeliveryCore> | undefined = autoTouch
      ? createAutoToucher<DeliveryCore>(scheduler)
      : undefined;

    // one object for all the deliveries of this consumer: nothing is allocated per message here
    const deps: DeliveryDeps = {
      scheduler,
      logger,
      onSettled: (core, state) => {
        counters.inc(state === 'finished' ? TransportMetric.finished : TransportMetric.requeued);
        toucher?.remove(core);
        // after unsubscribe the consumer gave its whole count back already
        if (!open) return;
        pending -= 1;
        inFlight.leave();
      },
      onTouched: (core, auto) => {
        if (auto) counters.inc(TransportMetric.autoTouched);
        toucher?.touched(core);
      },
    };

    const deadLetterUndecodable = (raw: BrokerDelivery, reason: string): void => {
      counters.inc(TransportMetric.undecodable);
      logger.warn('transport: undecodable message, dead-lettering it', {
        topic,
        channel,
        id: raw.id,
        reason,
      });
      const release = inFlight.start();
      const letter = undecodableDeadLetter(raw.body, { reason, topic, attempts: raw.attempts });
      ctx.publish(deadLetterTopic, letter).subscribe({
        complete: () => {
          counters.inc(TransportMetric.deadLettered);
          raw.finish();
          release();
        },
        error: (error: unknown) => {
          counters.inc(TransportMetric.deadLetterFailed);
          logger.error('transport: dead-letter publish failed, requeueing', {
            topic,
            deadLetterTopic,
            error: deadLetterReason(error),
          });
          raw.requeue(backoffDelay(raw.attempts, policy, ctx.random));
          release();
        },
      });
    };

    const onRaw = (raw: BrokerDelivery): void => {
      // the consumer is paused by now; this one was on its way already
      if (ctx.isDraining()) {
        raw.requeue(DRAIN_REQUEUE_DELAY_MS);
        return;
      }
      let message: Message;
      // memory of this delivery alone is kept as it is (the wire's default decoding), never copied
      const exclusive = raw.exclusiveBody === true;
      if (foreign) {
        const { body } = raw;
        // a plain Uint8Array that pins no shared broker buffer: a view of memory of its own, else a copy
        const rawBody = exclusive
          ? new Uint8Array(body.buffer, body.byteOffset, body.length)
          : new Uint8Array(body);
        message = { type: MessageType.EVENT, contextID: raw.id, rawBody };
      } else {
        const decoded =
          exclusive && decodeMessage === decode ? decodeHandedOver(raw.body) : decodeMessage(raw.body);
        if (isLeft(decoded)) return deadLetterUndecodable(raw, decoded.left.message);
        const valid = validateDecoded(decoded.right);
        if (isLeft(valid)) return deadLetterUndecodable(raw, valid.left.message);
        message = valid.right;
      }

      const core = new DeliveryCore(raw, message, deps, {
        timeoutMs: raw.timeoutMs ?? msgTimeoutMs,
        maxTimeoutMs: Math.min(raw.maxTimeoutMs ?? MAX_AUTO_TOUCH_MS, MAX_AUTO_TOUCH_MS),
      });
      pending += 1;
      inFlight.enter();
      toucher?.add(core);
      counters.inc(TransportMetric.received);
      subscriber.next(core.view(undefined, failChain));
    };

    const consumer = ctx.broker
      .consume({
        topic,
        channel,
        maxInFlight,
        // on by default: with more than one in flight nsqd would otherwise hold a delivery up to its output buffer timeout
        lowLatency: options.lowLatency ?? true,
        ...(options.msgTimeoutMs === undefined ? {} : { msgTimeoutMs: options.msgTimeoutMs }),
        paused$:
          options.paused$ === undefined
            ? ctx.draining$
            : combineLatest([ctx.draining$, options.paused$.pipe(startWith(false))]).pipe(
                map(([draining, paused]) => draining || paused),
                distinctUntilChanged(),
              ),
        ...(options.onReady === undefined ? {} : { onReady: readyCallback(ctx, topic, options.onReady) }),
      })
      .subscribe({
        next: (raw) => {
          try {
            onRaw(raw);
          } catch (error) {
            // only a subscriber that throws synchronously gets here; the delivery stays in flight
            logger.error('transport: subscriber threw', { topic, error: deadLetterReason(error) });
          }
        },
        error: (error: unknown) => {
          onFailed?.(error);
          subscriber.error(error);
        },
        complete: () => subscriber.complete(),
      });

    return () => {
      consumer.unsubscribe();
      toucher?.stop();
      // the broker gives unacknowledged deliveries back; they no longer hold up a drain
      open = false;
      inFlight.leave(pending);
      pending = 0;
    };
  });
