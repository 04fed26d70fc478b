/**
 * The message-level transport: what every rxmini transport (memory or NSQ)
 * offers on top of a raw {@link Broker}.
 *
 * @packageDocumentation
 */
import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import type { JsonObject, JsonValue } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import type { Payload, PayloadInput, PublishPayload, PublishValue } from '../codec/payload.js';
import type { ILogger } from '../logger/types.js';
import type { MetricsRecorder } from '../metrics/types.js';
import type { BrokerStatus } from '../broker/types.js';
import type { Delivery, HandlerWrapper, RetryPolicy } from '../delivery/types.js';
import type { RequestStreamOptions, RespondStreamOptions, StreamEnd, StreamSource } from './streamTypes.js';

/**
 * Retry policies by topic pattern. A key is matched against the topic as:
 * - the exact topic name (`orders.created`), which wins over everything;
 * - a prefix ending in `.` (`orders.`) or `*` (`orders.*`, `orders*`), matching
 *   every topic that starts with what comes before the `*` — the longest match wins;
 * - `*` alone: the default for every topic (the original's `WithRetry`, which it
 *   silently ignored).
 *
 * Each policy may be partial: missing fields come from the next less specific
 * match, and finally from {@link DEFAULT_RETRY_POLICY}.
 *
 * @example
 * ```ts
 * import type { RetryPolicies } from 'rxmini';
 * const retry: RetryPolicies = {
 *   '*': { maxAttempts: 5 },
 *   'payments.': { maxAttempts: 20, maxDelayMs: 300_000 },
 *   'payments.audit': { maxAttempts: 1 },
 * };
 * ```
 */
export type RetryPolicies = Readonly<Record<string, Partial<RetryPolicy>>>;

/**
 * Middleware registered on a transport with `bus.use`: sugar for operators
 * the transport pipes onto every matching subscription, so that a service does
 * not repeat them. Piping the operators yourself
 * (`bus.subscribeTopic(t).pipe(authorize(), handleDeliveries(h))`) is the
 * first way; `use` is for what applies everywhere. Two forms, one timing:
 * - `operator`: an RxJS operator over the delivery stream. An operator that
 *   drops a delivery must acknowledge it.
 * - `handler`: a {@link HandlerWrapper}; the transport pipes
 *   `wrapHandlers(wrapper)`, and {@link handleDeliveries} runs the handler
 *   inside it.
 *
 * Both are read when a subscription starts, in registration order (global
 * ones first): middleware added or removed later applies to subscriptions
 * started later. Build them with {@link operatorMiddleware} and {@link handlerMiddleware}.
 *
 * @example
 * ```ts
 * import { filter } from 'rxjs';
 * import { memoryTransport, operatorMiddleware, handlerMiddleware } from 'rxmini';
 * const bus = memoryTransport();
 * bus.use(operatorMiddleware(filter((d) => !d.expired || (d.finish(), false))));
 * bus.use(handlerMiddleware((next) => (d) => next(d.withContext({ user: 'u1' }))), { topic: 'orders.' });
 * ```
 */
export type Middleware =
  | { readonly kind: 'operator'; readonly operator: MonoTypeOperatorFunction<Delivery> }
  | { readonly kind: 'handler'; readonly wrap: HandlerWrapper };

/**
 * Where middleware applies: `topic` is a pattern as in {@link RetryPolicies}
 * (exact name, prefix ending in `.` or `*`, or `*` for every topic). Omitted:
 * every topic.
 *
 * @example
 * ```ts
 * import type { MiddlewareScope } from 'rxmini';
 * const scope: MiddlewareScope = { topic: 'orders.*' };
 * ```
 */
export interface MiddlewareScope {
  readonly topic?: string;
}

/**
 * Options of {@link Transport.subscribeTopic}. With none, a subscription is
 * ready to serve requests: up to {@link DEFAULT_MAX_IN_FLIGHT} (100)
 * deliveries at once, each sent by the broker as soon as it is there.
 *
 * @example
 * ```ts
 * import type { SubscribeTopicOptions } from 'rxmini';
 * // a heavy batch job: one at a time, buffered by nsqd for throughput
 * const batch: SubscribeTopicOptions = { maxInFlight: 1, lowLatency: false, msgTimeoutMs: 300_000 };
 * ```
 */
export interface SubscribeTopicOptions {
  /**
   * Channel to consume on: consumers of one channel share its messages. Default:
   * the transport's `service` option, so every instance of a service is
   * load-balanced.
   */
  readonly channel?: string;
  /**
   * Most deliveries in flight (handed out, not yet acknowledged); default
   * `concurrency`, else {@link DEFAULT_MAX_IN_FLIGHT} (100).
   *
   * What it trades: it bounds the memory a consumer holds (at most this many
   * messages, each at most the broker's `maxMessageBytes`) and how many
   * handlers run at once, against throughput: a consumer takes no new message
   * while this many are unacknowledged, so with 1 a service answers one request
   * per round trip to the broker. 100 serves 1,000 concurrent requests within
   * 2× of a tuned 200 (docs/benchmarks.md, "first use"). Lower it for handlers
   * that hold much memory or must not run side by side (1: one at a time); raise
   * it (nsqd allows up to its `--max-rdy-count`, 2,500) for fast handlers under
   * heavy load. Each topic of a `subscribePrefix` has its own.
   */
  readonly maxInFlight?: number;
  /** How many deliveries the consumer means to process at once; the default of `maxInFlight`. */
  readonly concurrency?: number;
  /** Overrides of the retry policy the transport's `retry` option gives this topic. */
  readonly retry?: Partial<RetryPolicy>;
  /**
   * Where this subscription dead-letters (the retries' last stop and undecodable
   * messages): a topic name. Default: the transport's `deadLetterTopic` of the
   * topic, `<topic>.dead` or the shortened name {@link defaultDeadLetterTopic}
   * derives for a long topic. An invalid name fails the subscription at once
   * with an `InvalidNameError` whose `option` is `'deadLetterTopic'`. On
   * `subscribePrefix`, one topic for every topic of the prefix (and left out of
   * the topics it consumes).
   */
  readonly deadLetterTopic?: string;
  /** The broker's in-flight timeout for this consumer, in ms; default: the broker's (60 s). */
  readonly msgTimeoutMs?: number;
  /** Touch pending deliveries at half `msgTimeoutMs` until acknowledged; default true. */
  readonly autoTouch?: boolean;
  /**
   * Deliver without broker-side output buffering; default true.
   *
   * What it trades: nsqd buffers what it sends to a consumer that may take
   * more than one message, and flushes when the buffer fills or after its
   * `--output-buffer-timeout` (250 ms by default): on a quiet topic each
   * delivery would wait up to 250 ms. `true` asks nsqd not to buffer
   * (`output_buffer_size: -1`), so each message leaves at once, at the cost of
   * one socket write per message on nsqd's side. Set `false` for a
   * high-volume consumer that cares for throughput more than latency. No
   * effect on the memory broker, which buffers nothing.
   */
  readonly lowLatency?: boolean;
  /**
   * While it is true, this consumer takes no new messages (paused at the
   * broker, RDY 0 on NSQ) and keeps those in hand; false resumes. What a
   * service's `stop()` uses to drain. Not paused before its first value.
   * The transport's own drain pauses every consumer whatever this says.
   */
  readonly paused$?: Observable<boolean>;
  /**
   * Called once the consumer is registered at the broker, i.e. from when a
   * message published to the topic is sure to reach this subscription's
   * channel: synchronously on subscribe on the memory broker; on NSQ once nsqd
   * acknowledged the consumer's `SUB` on every nsqd it was given (with lookupd
   * only, on the first nsqd found). Wait for it instead of sleeping before the
   * first publish; `await` the returned Observable's `ready` for the same as a
   * promise ({@link ReadyObservable}). Called at most once per subscription (for
   * `subscribePrefix`, once per topic it consumes); never when the
   * subscription fails or ends first. A callback that throws is logged and
   * otherwise ignored.
   *
   * @example
   * ```ts
   * bus.subscribeTopic('orders.created', { onReady: () => log.info('consuming') }).subscribe((d) => d.finish());
   * ```
   */
  readonly onReady?: () => void;
  /**
   * What the topic carries; default `'message'` (rxmini messages). For a topic
   * fed by producers that are not rxmini: `'json'` (any JSON value), an io-ts
   * codec (JSON it checks), or `'bytes'` (anything). The delivery's `input` is
   * then the decoded value, typed from this option ({@link PayloadInput}), and
   * its `message` an `event` carrying the bytes as they came in `rawBody` (so a
   * dead letter keeps them). A payload that does not decode fails with a
   * {@link PayloadDecodeError} through the same failure handlers as a handler's
   * error (not retried by default: dead-lettered at once). Retries, dead
   * letters, middleware, auto-touch and the drain are the same for every
   * payload. See {@link decodePayload}.
   *
   * @example
   * ```ts
   * import * as t from 'io-ts';
   * const Click = t.type({ x: t.number, y: t.number });
   * bus.subscribeTopic('clicks', { payload: Click }).subscribe((d) => {
   *   log.info('click', { x: d.input.x }); // d.input: { x: number; y: number }
   *   d.finish();
   * });
   * ```
   */
  readonly payload?: Payload;
}

/**
 * Options of {@link Transport.publish}.
 *
 * @example
 * ```ts
 * import type { PublishOptions } from 'rxmini';
 * const plainJson: PublishOptions<'json'> = { payload: 'json' };
 * ```
 */
export interface PublishOptions<P extends PublishPayload = PublishPayload> {
  /**
   * What to send; default `'message'` (an rxmini message, completed and
   * checked). For consumers that are not rxmini: `'json'` (the value as plain
   * JSON), an io-ts codec (its `encode`d value as JSON), or `'bytes'` (a
   * `Uint8Array`, sent as it is).
   */
  readonly payload?: P;
}

/**
 * What {@link Transport.subscribeTopic} and {@link Transport.subscribeBroadcast}
 * return: the cold Observable of deliveries, plus `ready`, a promise to await
 * before the first publish that must reach the subscription.
 *
 * `ready` resolves the first time a subscription to this Observable is
 * registered at the broker (as `onReady` is called: at once on the memory
 * broker; on NSQ once nsqd acknowledged the `SUB`). It rejects with the error
 * when a subscription fails before that (an invalid name, a closed transport,
 * the broker's error); a rejection nobody awaits is not reported as unhandled.
 * The Observable is cold, so `ready` stays pending until something subscribes,
 * and also when the subscription ends before it was registered. Keep the
 * Observable to reach `ready`: what `pipe` returns does not have it.
 *
 * @example
 * ```ts
 * import { handleDeliveries, memoryTransport } from 'rxmini';
 * const bus = memoryTransport({ service: 'billing' });
 * const orders$ = bus.subscribeTopic('orders.created');
 * orders$.pipe(handleDeliveries((d) => d.logger.info('order', { body: d.message.body }))).subscribe();
 * await orders$.ready; // the channel 'billing' exists: what is published now reaches it
 * await bus.publish('orders.created', { body: { id: 7 } });
 * ```
 */
export type ReadyObservable<T> = Observable<T> & {
  /** Resolves once a subscription is registered at the broker; rejects when one fails first. */
  readonly ready: Promise<void>;
};

/** Options of {@link Transport.subscribePrefix}. */
export interface SubscribePrefixOptions extends SubscribeTopicOptions {
  /** How often the broker's topic list is read, in ms; default the transport's `pollIntervalMs`. */
  readonly pollIntervalMs?: number;
  /** Also consume internal topics (starting with `_`); default false. */
  readonly includeInternal?: boolean;
  /** Also consume dead-letter topics; default false. */
  readonly includeDeadLetter?: boolean;
  /**
   * How many topic listings in a row may fail before the stream errors with a
   * `DiscoveryError` (a positive integer, or `Infinity` to keep trying); default
   * the transport's `maxListFailures`. A listing that succeeds resets the count.
   */
  readonly maxListFailures?: number;
}

/**
 * What the topic discovery of a prefix subscription reports on
 * {@link Transport.discovery$}: a topic listing that failed (`failures` in a
 * row so far; at `maxListFailures` the subscription errors with a
 * `DiscoveryError`), and the first listing that succeeded after failures
 * (`failures`: how many there were).
 *
 * @example
 * ```ts
 * bus.discovery$.subscribe((event) => {
 *   if (event.type === 'listing-failed') log.warn(`${event.prefix}: ${event.error.message}`);
 * });
 * ```
 */
export type DiscoveryEvent =
  | {
      readonly type: 'listing-failed';
      /** The prefix of the subscription. */
      readonly prefix: string;
      /** Failed listings in a row, this one included. */
      readonly failures: number;
      /** The bound at which the subscription errors. */
      readonly maxListFailures: number;
      /** Why the listing failed (a `TopicListingError` over NSQ). */
      readonly error: Error;
    }
  | {
      readonly type: 'listing-recovered';
      readonly prefix: string;
      /** Failed listings in a row before this success. */
      readonly failures: number;
    };

/** Options of {@link Transport.subscribeBroadcast}: every option of a topic subscription but the channel. */
export type SubscribeBroadcastOptions = Omit<SubscribeTopicOptions, 'channel'>;

/** Options of {@link Transport.request}. */
export interface RequestOptions {
  /** How long to wait for the response, in ms; default the transport's `requestTimeoutMs`. */
  readonly timeout?: number;
  /** Extra header values (trace context, idempotency key, …). */
  readonly header?: Readonly<Record<string, string>>;
  /** The conversation id to use; default a fresh UUID. Must not be open already. */
  readonly contextID?: string;
  /**
   * The topic to send the request to; default the action's name. The message's
   * `node` is the action either way: for a Go `mini` service, which listens
   * on `<name>.<version>.<id>` and routes by `node`.
   */
  readonly topic?: string;
}

/** Connection state of a transport: the broker's, plus `draining` while {@link Transport.close} waits. */
export type TransportStatus = BrokerStatus | 'draining';

/** Options of {@link createTransport} (and of the transports built on it). */
export interface TransportOptions {
  /**
   * This node's id, used in its reply topic (`_reply.<nodeId>#ephemeral`) and
   * broadcast channel (`<nodeId>#ephemeral`): 1–20 characters of
   * `[a-zA-Z0-9_-]`. Default: a random id such as `n4k2x9q0a1b3`.
   */
  readonly nodeId?: string;
  /** Default channel of `subscribeTopic`/`subscribePrefix` (the service name); default `'default'`. */
  readonly service?: string;
  /** Where the transport logs; default nowhere. */
  readonly logger?: ILogger;
  /** Where the transport counts (names under `transport.`); default a private registry. */
  readonly metrics?: MetricsRecorder;
  /** Clock and timers (timeouts, backoff, polling, auto-touch, drain); default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Default request timeout, in ms; default 15 000. */
  readonly requestTimeoutMs?: number;
  /** Most requests waiting for a response at once; default 10 000. */
  readonly maxPendingRequests?: number;
  /** Retry policies by topic pattern; see {@link RetryPolicies}. */
  readonly retry?: RetryPolicies;
  /**
   * Dead-letter topic of a topic; default {@link defaultDeadLetterTopic}:
   * `<topic>.dead` (without the `#ephemeral` suffix), or a derived 64-character
   * name when that would be too long. A subscription's own `deadLetterTopic`
   * option wins. A subscription whose dead-letter topic is not a valid name
   * fails at once with an `InvalidNameError` (`option: 'deadLetterTopic'`);
   * a function that throws fails it with a `ConfigError`.
   */
  readonly deadLetterTopic?: (topic: string) => string;
  /** Default poll interval of `subscribePrefix`, in ms (1–60 000): a new topic is picked up within it. Default 1000. */
  readonly pollIntervalMs?: number;
  /**
   * Default of `subscribePrefix`'s `maxListFailures`: how many topic listings in
   * a row may fail (lookupd or nsqd `/stats` unreachable, say) before the
   * subscription errors with a `DiscoveryError`. A positive integer, or
   * `Infinity` to keep trying (failures still show on `discovery$`). Default 5.
   */
  readonly maxListFailures?: number;
  /** Longest `close()` waits for in-flight deliveries, in ms; default 10 000. */
  readonly drainTimeoutMs?: number;
  /** Randomness in [0, 1) for retry jitter and node ids; default `Math.random`. Inject a constant in tests. */
  readonly random?: () => number;
  /** Whether `close()` also closes the broker; default true. False when several transports share one broker. */
  readonly closeBroker?: boolean;
  /**
   * The wire form of messages; default `'strict'`. `'go-mini'` speaks the Go
   * `mini`'s: every message is plain JSON (a `rawBody` as base64 inside it,
   * never the binary frame), a message without `type` decodes with
   * `defaultMessageType`, and the type `healthCheck` decodes as `health`. See
   * docs/migrating-from-go-mini.md.
   */
  readonly compat?: TransportCompat;
  /** With `compat: 'go-mini'`, the type of a message that has none (or `""`); default `'event'`. */
  readonly defaultMessageType?: string;
}

/**
 * The wire form of a transport's messages: `'strict'` (rxmini's: the binary
 * frame for raw bytes, `type` required) or `'go-mini'` (the Go `mini`'s JSON).
 *
 * @example
 * ```ts
 * import { memoryTransport, type TransportCompat } from 'rxmini';
 * const compat: TransportCompat = 'go-mini';
 * const bus = memoryTransport({ compat, defaultMessageType: 'publish' });
 * ```
 */
export type TransportCompat = 'strict' | 'go-mini';

/**
 * The message-level bus: publish, request/response, broadcast, topic and prefix
 * subscriptions, retries, dead letters and middleware, over any {@link Broker}.
 *
 * @example
 * ```ts
 * import { memoryTransport, handleDeliveries } from 'rxmini';
 * const bus = memoryTransport({ service: 'auth' });
 * bus.subscribeTopic('auth.login')
 *   .pipe(handleDeliveries((d) => bus.respond(d.message, { token: 'jwt123' })))
 *   .subscribe();
 * bus.request('auth.login', { email: 'a@b.c' }, { timeout: 1_000 }).subscribe((reply) => log.info('reply', { body: reply.body }));
 * ```
 * @see {@link createTransport}
 */
export interface Transport {
  /** This node's id. */
  readonly nodeId: string;
  /** The default consumer channel (the service name). */
  readonly service: string;
  /** This node's muxed reply topic, `_reply.<nodeId>#ephemeral`. */
  readonly replyTopic: string;
  /** Connection state; replays the current one. */
  readonly status$: Observable<TransportStatus>;
  /**
   * Hot: the topic discovery of every prefix subscription, as it happens (no
   * replay): each failed topic listing, and the recovery after failures.
   * Completes when the transport is closed.
   */
  readonly discovery$: Observable<DiscoveryEvent>;
  /** True once `close()` was called. */
  readonly closed: boolean;
  /**
   * Largest encoded message the broker takes now, in bytes (nsqd's
   * `--max-msg-size` once read or learned); a bigger publish is refused with
   * `PayloadTooLargeError`. What a file sender sizes its chunks by.
   */
  readonly maxMessageBytes: number;
  /**
   * Publishes `msg` and resolves when the broker acknowledged it.
   *
   * `msg` may be partial: a missing `type` is sent as `'event'` and a missing
   * `contextID` as a fresh UUID, so `publish(topic, { body })` is enough. A
   * message with both is sent as it is, never rewritten. The payload always
   * goes under `body`: a bare JSON object cannot be told apart from a partial
   * message (`{ type: 'x' }` is both), so it is not accepted; one with a field
   * a message does not have (`{ id: 7 }`) is refused with a `ValidationError`
   * naming it, rather than sent without it.
   *
   * Rejects with a typed error: `ValidationError` (not a valid message),
   * `InvalidNameError`, `PayloadTooLargeError`, `TransportClosedError`, or the
   * broker's own. Never drops silently.
   *
   * With a `payload` option ({@link PublishOptions}) `msg` is not a message
   * but what consumers that are not rxmini read: a JSON value sent as plain
   * JSON (`'json'`, or a codec's `encode`d value), or bytes sent as they are
   * (`'bytes'`); a value that does not fit rejects with a `BadRequestError`.
   *
   * @example
   * ```ts
   * import { memoryTransport } from 'rxmini';
   * const bus = memoryTransport();
   * await bus.publish('orders.created', { body: { id: 7 } }); // type 'event', a fresh contextID
   * await bus.publish('orders.created', { type: 'event', contextID: 'c-1', body: { id: 8 } }); // as it is
   * await bus.publish('legacy.orders', { id: 9 }, { payload: 'json' }); // '{"id":9}' on the wire
   * await bus.publish('legacy.blobs', new Uint8Array([1, 2]), { payload: 'bytes' }); // the two bytes
   * ```
   */
  publish<P extends PublishPayload = 'message'>(
    topic: string,
    msg: PublishValue<P>,
    options?: PublishOptions<P>,
  ): Promise<void>;
  /** Like {@link Transport.publish}, delivered no earlier than `delayMs` from now. */
  publishDeferred<P extends PublishPayload = 'message'>(
    topic: string,
    msg: PublishValue<P>,
    delayMs: number,
    options?: PublishOptions<P>,
  ): Promise<void>;
  /**
   * Cold: on subscribe, sends a request to `action` and emits its response, then
   * completes. Errors with a `TimeoutError` after `timeout`, with a
   * `ResponseError` (carrying `statusCode` and the response) when the response
   * carries an error or a status ≥ 400, with `TransportClosedError` when the
   * transport closes first. Unsubscribing before the response cancels it; a
   * response that comes after a timeout or cancel is dropped and counted.
   */
  request(action: string, body?: JsonObject, options?: RequestOptions): Observable<Message>;
  /**
   * Answers `request` on its `replyTo` with the same `contextID`: `result` in
   * `body.result` (status `statusCode`, default 200), or an `Error` in
   * `body.error` (status `statusCode`, else the error's own, else 500).
   * Rejects with a `BadRequestError` when the request has no `replyTo` or `contextID`.
   */
  respond(request: Message, result: JsonValue | Error, statusCode?: number): Promise<void>;
  /**
   * Cold: on subscribe, sends a stream request to `action` and emits its
   * `stream` replies in the order they were sent (by sequence number, whatever
   * order the broker delivers them in), then completes on the final reply.
   *
   * Flow control: the responder runs at most `window` items ahead of what the
   * subscriber has consumed (an item counts as consumed once the subscriber's
   * `next` returned); credits go back as items are consumed. Errors with a
   * `ResponseError` on an error reply, a `TimeoutError` when no reply comes
   * within `timeout`, a `StreamIdleError` when no reply comes for
   * `idleTimeout` after that (a responder that died), a `ConfigError` for a bad
   * option, `TransportClosedError` when the transport closes. Unsubscribing
   * early cancels: the responder is told at once (or at its first reply, if
   * none came yet) and stops its source. Wire and control path: {@link StreamHeader}.
   *
   * @example
   * ```ts
   * import { take } from 'rxjs';
   * bus.requestStream('report.rows', { year: 2024 }, { timeout: 2_000, window: 64 })
   *   .pipe(take(100)) // the responder's source is stopped after the 100th row
   *   .subscribe((row) => log.info('row', { row: row.body?.['result'] }));
   * ```
   */
  requestStream(action: string, body?: JsonObject, options?: RequestStreamOptions): Observable<Message>;
  /**
   * Answers a stream request (one from {@link Transport.requestStream}) with
   * the items of `source`, each a `stream` reply, never more than the
   * request's window ahead of the requester's credits; then a final reply when
   * the source completes, or an error reply (status as {@link Transport.respond})
   * when it fails. An Observable source is subscribed at once and buffered
   * while it runs ahead (up to `maxBuffered`); an `AsyncIterable` is pulled
   * only while credits allow. A cancel from the requester, or no credit for
   * its idle timeout, stops the source.
   *
   * Resolves with how the stream ended ({@link StreamEnd}); rejects with a
   * `BadRequestError` when the request is not a stream request (no `replyTo`,
   * `contextID` or window), a `DuplicateConversationError` when this node
   * already serves its contextID.
   *
   * @example
   * ```ts
   * import { handleDeliveries } from 'rxmini';
   * import { range, map } from 'rxjs';
   * bus.subscribeTopic('report.rows')
   *   .pipe(
   *     handleDeliveries(async (d) => {
   *       // the request stays in flight (touched) until the stream ends
   *       const end = await bus.respondStream(d.message, range(0, 1_000).pipe(map((i) => ({ i }))));
   *       log.info('stream ended', { reason: end.reason, sent: end.sent });
   *     }),
   *   )
   *   .subscribe();
   * ```
   */
  respondStream(request: Message, source: StreamSource, options?: RespondStreamOptions): Promise<StreamEnd>;
  /**
   * The same function as {@link Transport.publish}: an alias, kept for the
   * original's API and to say what a call site means. NSQ has no broadcast on
   * the publishing side: every channel of a topic gets a copy of each message,
   * and consumers of one channel share them. The broadcast lives in
   * {@link Transport.subscribeBroadcast}, whose channel is this node's own
   * (`<nodeId>#ephemeral`), so every node that subscribes gets a copy, while
   * {@link Transport.subscribeTopic} consumers of one service share a channel
   * and each message goes to one of them. One message to a topic reaches both
   * kinds of subscriber.
   *
   * @example
   * ```ts
   * import { memoryTransport } from 'rxmini';
   * const bus = memoryTransport();
   * bus.subscribeBroadcast('config.changed').subscribe((d) => d.finish()); // every node
   * await bus.broadcast('config.changed', { body: { key: 'ttl' } }); // same as bus.publish
   * ```
   */
  broadcast<P extends PublishPayload = 'message'>(
    topic: string,
    msg: PublishValue<P>,
    options?: PublishOptions<P>,
  ): Promise<void>;
  /**
   * Consumes `topic` on a shared channel (load-balanced). Cold: subscribing
   * starts the consumer, unsubscribing stops it. Undecodable or invalid messages
   * never reach it: they are dead-lettered and finished. Its `ready` resolves
   * once the consumer is registered at the broker ({@link ReadyObservable}).
   */
  subscribeTopic<P extends Payload = 'message'>(
    topic: string,
    options?: SubscribeTopicOptions & { readonly payload?: P },
  ): ReadyObservable<Delivery<PayloadInput<P>>>;
  /**
   * Consumes `topic` on this node's own ephemeral channel (`<nodeId>#ephemeral`),
   * so every node gets every message; `ready` as for {@link Transport.subscribeTopic}.
   * Only what is published while the channel exists reaches it: the channel and
   * what it holds go away when this node stops consuming.
   */
  subscribeBroadcast<P extends Payload = 'message'>(
    topic: string,
    options?: SubscribeBroadcastOptions & { readonly payload?: P },
  ): ReadyObservable<Delivery<PayloadInput<P>>>;
  /**
   * One stream of every topic starting with `prefix` (`''` for all), as they
   * come and go: the broker's topic list is polled every `pollIntervalMs`.
   * Errors at subscribe with an `InvalidNameError` for a prefix no valid topic
   * name can start with (characters outside `[.a-zA-Z0-9_-]`, more than 64 of
   * them; one trailing `*` is allowed and ignored), and with a `ConfigError` for
   * a bad option.
   *
   * A topic listing that fails (over NSQ: lookupd, or nsqd's `/stats` at
   * `nsqdHttp`, which defaults to a guess, the TCP port + 1) is logged, shown on
   * {@link Transport.discovery$} and tried again at the next poll; the topics
   * already consumed keep flowing. After `maxListFailures` failures in a row
   * (default 5) the stream errors with a `DiscoveryError` carrying the prefix,
   * the count, the addresses asked and the last error; a successful listing
   * resets the count.
   */
  subscribePrefix<P extends Payload = 'message'>(
    prefix: string,
    options?: SubscribePrefixOptions & { readonly payload?: P },
  ): Observable<Delivery<PayloadInput<P>>>;
  /** Registers middleware, for every topic or those matching `scope.topic`; returns its removal. */
  use(middleware: Middleware, scope?: MiddlewareScope): () => void;
  /**
   * Drains and closes: stops taking messages (every consumer pauses at the
   * broker, RDY 0 on NSQ, so new messages stay there for other consumers of
   * the channel; one already on its way is requeued), waits up to
   * `drainTimeoutMs` for deliveries in flight to be acknowledged, completes
   * every subscription, fails pending requests with `TransportClosedError`,
   * then closes the broker. Idempotent.
   */
  close(): Promise<void>;
}
