/**
 * The message-level transport: what every rxmini transport (memory or NSQ)
 * offers on top of a raw {@link Broker}.
 *
 * @packageDocumentation
 */
import type { MonoTypeOperatorFunction, Observable, SchedulerLike } from 'rxjs';
import type { JsonObject, JsonValue } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import type { ILogger } from '../logger/types.js';
import type { MetricsRecorder } from '../metrics/types.js';
import type { BrokerStatus } from '../broker/types.js';
import type { Delivery, HandlerWrapper, RetryPolicy } from '../delivery/types.js';

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

/** Options of {@link Transport.subscribeTopic}. */
export interface SubscribeTopicOptions {
  /**
   * Channel to consume on: consumers of one channel share its messages. Default:
   * the transport's `service` option, so every instance of a service is
   * load-balanced.
   */
  readonly channel?: string;
  /** Most deliveries in flight (not yet acknowledged); default `concurrency`, else 1. */
  readonly maxInFlight?: number;
  /** How many deliveries the consumer means to process at once; the default of `maxInFlight`. */
  readonly concurrency?: number;
  /** Overrides of the retry policy the transport's `retry` option gives this topic. */
  readonly retry?: Partial<RetryPolicy>;
  /** The broker's in-flight timeout for this consumer, in ms; default: the broker's (60 s). */
  readonly msgTimeoutMs?: number;
  /** Touch pending deliveries at half `msgTimeoutMs` until acknowledged; default true. */
  readonly autoTouch?: boolean;
  /** Deliver without broker-side output buffering (for request paths); default false. */
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
   * first publish. Called at most once per subscription (for
   * `subscribePrefix`, once per topic it consumes); never when the
   * subscription fails or ends first. A callback that throws is logged and
   * otherwise ignored.
   *
   * @example
   * ```ts
   * import { newMessage } from 'rxmini';
   * const ready = new Promise<void>((onReady) =>
   *   bus.subscribeTopic('orders.created', { onReady }).subscribe((d) => d.finish()),
   * );
   * await ready;
   * await bus.publish('orders.created', newMessage('event'));
   * ```
   */
  readonly onReady?: () => void;
}

/** Options of {@link Transport.subscribePrefix}. */
export interface SubscribePrefixOptions extends SubscribeTopicOptions {
  /** How often the broker's topic list is read, in ms; default the transport's `pollIntervalMs`. */
  readonly pollIntervalMs?: number;
  /** Also consume internal topics (starting with `_`); default false. */
  readonly includeInternal?: boolean;
  /** Also consume dead-letter topics; default false. */
  readonly includeDeadLetter?: boolean;
}

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
   * Dead-letter topic of a topic; default `<topic>.dead` (without the
   * `#ephemeral` suffix). A subscription whose dead-letter topic is not a
   * valid name fails at once with an `InvalidNameError`.
   */
  readonly deadLetterTopic?: (topic: string) => string;
  /** Default poll interval of `subscribePrefix`, in ms (1–60 000): a new topic is picked up within it. Default 1000. */
  readonly pollIntervalMs?: number;
  /** Longest `close()` waits for in-flight deliveries, in ms; default 10 000. */
  readonly drainTimeoutMs?: number;
  /** Randomness in [0, 1) for retry jitter and node ids; default `Math.random`. Inject a constant in tests. */
  readonly random?: () => number;
  /** Whether `close()` also closes the broker; default true. False when several transports share one broker. */
  readonly closeBroker?: boolean;
}

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
 * bus.request('auth.login', { email: 'a@b.c' }, { timeout: 1_000 }).subscribe((reply) => console.log(reply.body));
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
  /** True once `close()` was called. */
  readonly closed: boolean;
  /**
   * Publishes `msg` as it is (never rewritten) and resolves when the broker
   * acknowledged it. Rejects with a typed error: `ValidationError` (not a valid
   * message), `InvalidNameError`, `PayloadTooLargeError`, `TransportClosedError`,
   * or the broker's own. Never drops silently.
   */
  publish(topic: string, msg: Message): Promise<void>;
  /** Like {@link Transport.publish}, delivered no earlier than `delayMs` from now. */
  publishDeferred(topic: string, msg: Message, delayMs: number): Promise<void>;
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
  /** Publishes `msg` to `topic` for every node that {@link Transport.subscribeBroadcast}s it. */
  broadcast(topic: string, msg: Message): Promise<void>;
  /**
   * Consumes `topic` on a shared channel (load-balanced). Cold: subscribing
   * starts the consumer, unsubscribing stops it. Undecodable or invalid messages
   * never reach it: they are dead-lettered and finished.
   */
  subscribeTopic(topic: string, options?: SubscribeTopicOptions): Observable<Delivery>;
  /** Consumes `topic` on this node's own ephemeral channel, so every node gets every message. */
  subscribeBroadcast(topic: string, options?: SubscribeBroadcastOptions): Observable<Delivery>;
  /**
   * One stream of every topic starting with `prefix` (`''` for all), as they
   * come and go: the broker's topic list is polled every `pollIntervalMs`.
   */
  subscribePrefix(prefix: string, options?: SubscribePrefixOptions): Observable<Delivery>;
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
