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

/**
 * How a failed delivery is retried: redelivered by the broker (NSQ `REQ`, a
 * server-side delay that survives a consumer restart) after a backoff computed
 * from its attempt count, until `maxAttempts`, then dead-lettered.
 *
 * Delay before redelivery after attempt `n` (1 on the first delivery):
 * `min(maxDelayMs, initialDelayMs × factor^(n−1))`, spread by `±jitter`, never above `maxDelayMs`.
 *
 * @example
 * ```ts
 * import type { RetryPolicy } from 'rxmini';
 * const patient: RetryPolicy = { maxAttempts: 10, initialDelayMs: 500, factor: 2, maxDelayMs: 60_000, jitter: 0.2 };
 * ```
 * @see {@link DEFAULT_RETRY_POLICY}
 */
export interface RetryPolicy {
  /** Deliveries in all (the first one included) before the message is dead-lettered; ≥ 1, may be `Infinity`. */
  readonly maxAttempts: number;
  /** Delay before the second delivery, in ms (≥ 0). */
  readonly initialDelayMs: number;
  /** Growth of the delay per attempt (≥ 1). */
  readonly factor: number;
  /** Longest delay, in ms (≥ `initialDelayMs`; NSQ caps a requeue at 1 h). */
  readonly maxDelayMs: number;
  /** Random spread as a fraction of the delay, 0–1: 0.2 gives ±20 %. */
  readonly jitter: number;
  /**
   * Whether a failure is worth retrying; `false` dead-letters at once (a
   * validation error will fail again). Default: every failure is retried.
   */
  readonly retryable?: (error: unknown) => boolean;
}

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

/** What {@link Delivery.fail} did with a failed delivery. */
export type FailOutcome =
  /** Requeued (with a backoff delay, or at once when no policy applies); it will be delivered again. */
  | 'requeued'
  /** Out of attempts (or not retryable): published to the dead-letter topic, then finished. */
  | 'dead-lettered'
  /** Finished by a failure handler without a dead letter (e.g. a dropped duplicate). */
  | 'finished'
  /** Already finished or requeued before `fail` was called: nothing done. */
  | 'ignored';

/** Where a delivery stands. */
export type DeliveryState = 'pending' | 'finished' | 'requeued';

/**
 * A failed delivery as a {@link FailHandler} sees it.
 *
 * @example
 * ```ts
 * import type { FailHandler } from 'rxmini';
 * const park: FailHandler = (failure) => (failure.requeue(60_000) ? 'requeued' : 'ignored');
 * ```
 */
export interface Failure {
  /** What the handler threw, or what an inner failure handler passed on. */
  readonly error: unknown;
  /** The delivery that failed: its topic, attempts, message, logger. */
  readonly delivery: Delivery;
  /** Finishes it while the failure is handled (the delivery's own `finish` is refused until then). */
  finish(): boolean;
  /** Requeues it after `delayMs` (default 0) while the failure is handled. */
  requeue(delayMs?: number): boolean;
}

/**
 * Decides what a failure does: requeue, dead-letter, finish, or hand it to
 * `next`, the handler attached before this one (further up the pipe). The last
 * handler attached runs first; with none left, the delivery is requeued at
 * once. A handler that throws, or leaves the delivery unacknowledged, gets it
 * requeued at once: a failure is never lost. Attach one with
 * {@link Delivery.withFailHandler}; `retryWithBackoff` and `deadLetter` are
 * operators that do.
 *
 * @example
 * ```ts
 * import type { FailHandler } from 'rxmini';
 * const logFirst: FailHandler = (failure, next) => {
 *   failure.delivery.logger.warn('failed', { attempts: failure.delivery.attempts });
 *   return next(failure.error);
 * };
 * ```
 */
export type FailHandler = (
  failure: Failure,
  next: (error: unknown) => Promise<FailOutcome>,
) => FailOutcome | PromiseLike<FailOutcome>;

/**
 * One decoded message handed to one consumer, with its acknowledgements and its
 * context. Every delivery must end in exactly one of `finish`, `requeue` or
 * `fail`; all three are idempotent (the first wins, the others return false or
 * `'ignored'`).
 *
 * Until it is acknowledged, the transport touches it automatically at about
 * half the consumer's message timeout, so a slow handler does not get its
 * message redelivered to someone else.
 *
 * A delivery is immutable: `withContext`, `withInput`, `withFailHandler` and
 * `withHandlerWrapper` return a new view sharing the acknowledgements. Its
 * members live on the prototype, so an object spread (`{ ...delivery }`) is
 * not a delivery: every rxmini operator refuses one with a `NotADeliveryError`.
 *
 * @typeParam I - the type of {@link Delivery.input}, set by the `validate` operator.
 * @example
 * ```ts
 * import type { Delivery } from 'rxmini';
 * declare const save: (body: unknown) => Promise<void>;
 * export const onOrder = async (delivery: Delivery): Promise<void> => {
 *   if (delivery.expired) {
 *     delivery.finish(); // the caller has given up
 *     return;
 *   }
 *   try {
 *     await save(delivery.message.body);
 *     delivery.finish();
 *   } catch (error) {
 *     await delivery.fail(error); // what the failure handlers decide: retry, dead-letter, …
 *   }
 * };
 * ```
 * @see {@link handleDeliveries}
 */
export interface Delivery<I = unknown> {
  /** The decoded, validated message; never rewritten. */
  readonly message: Message;
  /** Topic it was published to. */
  readonly topic: string;
  /** Channel it was received on. */
  readonly channel: string;
  /** Broker message id. */
  readonly id: string;
  /** Delivery attempt, counted by the broker; 1 on the first delivery. */
  readonly attempts: number;
  /** When the broker received the message, in ms since the epoch (the broker's clock). */
  readonly timestamp: number;
  /** When this consumer received it, on the transport's scheduler. */
  readonly receivedAt: number;
  /**
   * Scheduler time after which the sender no longer waits for an answer, from
   * the `x-deadline` header (a relative budget; see {@link HeaderKey}).
   * `undefined` when the message carries no budget.
   */
  readonly deadline: number | undefined;
  /** Milliseconds left before {@link Delivery.deadline} (≤ 0 once passed); `Infinity` without a deadline. */
  readonly remainingMs: number;
  /** True once the deadline has passed: the sender has timed out, an answer would be dropped. */
  readonly expired: boolean;
  /** `pending` until acknowledged, then how. */
  readonly state: DeliveryState;
  /** Values middleware attached for later middleware and the handler (trace ids, a user, …). */
  readonly context: Readonly<Record<string, unknown>>;
  /** The body as decoded by the `validate` operator's codec; `undefined` before it. */
  readonly input: I;
  /** The transport's logger, carrying this message's topic and context id. */
  readonly logger: ILogger;
  /** Acknowledges the message (NSQ `FIN`). True the first time, false once acknowledged. */
  finish(): boolean;
  /** Hands it back to be redelivered after `delayMs` (default 0). False once acknowledged. */
  requeue(delayMs?: number): boolean;
  /** Resets the broker's in-flight timeout. False once acknowledged. */
  touch(): boolean;
  /**
   * Hands a failure to the failure handlers attached to this view (the last
   * attached first): the transport attaches `deadLetter` and `retryWithBackoff`
   * from its `retry` option, so by default a failure is requeued with backoff,
   * and after `maxAttempts` (or for an error that is not retryable) published
   * to the dead-letter topic with the reason in the header, then finished. If
   * that publish fails the message is requeued instead: never lost. Never rejects.
   */
  fail(error: unknown): Promise<FailOutcome>;
  /** This delivery with more context values; acknowledgements are shared with the original. */
  withContext(values: Readonly<Record<string, unknown>>): Delivery<I>;
  /** This delivery carrying `input` (what `validate` does with the decoded body). */
  withInput<A>(input: A): Delivery<A>;
  /** This delivery with `handler` deciding its failures first; see {@link FailHandler}. */
  withFailHandler(handler: FailHandler): Delivery<I>;
  /** This delivery with `wrapper` around its handler, inside the wrappers attached before it. */
  withHandlerWrapper(wrapper: HandlerWrapper): Delivery<I>;
  /**
   * `handler` inside the handler wrappers attached to this delivery (the first
   * attached outermost): those of `bus.use(handlerMiddleware(…))` and of
   * `withHandlerWrapper`. {@link handleDeliveries} calls it.
   */
  wrapHandler(handler: DeliveryHandler<I>): DeliveryHandler<I>;
}

/**
 * Processes one delivery. Returning (or resolving, or completing) means success;
 * throwing (rejecting, erroring) means failure. It may acknowledge the delivery
 * itself; otherwise {@link handleDeliveries} does.
 *
 * @example
 * ```ts
 * import type { DeliveryHandler } from 'rxmini';
 * declare const save: (body: unknown) => Promise<void>;
 * export const handler: DeliveryHandler = async (delivery) => {
 *   await save(delivery.message.body);
 * };
 * ```
 */
export type DeliveryHandler<I = unknown> = {
  // a method signature, so that a handler of Delivery<A> is a handler of Delivery (bivariant)
  handle(delivery: Delivery<I>): void | PromiseLike<void> | Observable<unknown>;
}['handle'];

/**
 * Wraps a handler in another (logging, auth, tracing, timing…): the
 * `next`-chain form of middleware.
 *
 * @example
 * ```ts
 * import type { HandlerWrapper } from 'rxmini';
 * export const timing: HandlerWrapper = (next) => async (delivery) => {
 *   const start = Date.now();
 *   try {
 *     await next(delivery);
 *   } finally {
 *     delivery.logger.debug('handled', { ms: Date.now() - start });
 *   }
 * };
 * ```
 */
export type HandlerWrapper = (next: DeliveryHandler) => DeliveryHandler;

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
