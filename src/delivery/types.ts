/**
 * What a delivery is to everything that handles one: the {@link Delivery}
 * interface, its failure handlers and handler wrappers, and the
 * {@link RetryPolicy} of the retry operator. Below both the operators and the
 * transport, which build on it.
 *
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { Message } from '../codec/message.js';
import type { ILogger } from '../logger/types.js';

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
  /**
   * Calls `listener` once the delivery is finished or requeued, however that
   * happens (by a handler, a failure handler, the drain); at once when it is
   * already settled. A listener that throws is logged.
   */
  whenSettled(listener: (state: 'finished' | 'requeued') => void): void;
  /** This delivery with more context values; acknowledgements are shared with the original. */
  withContext(values: Readonly<Record<string, unknown>>): Delivery<I>;
  /** This delivery carrying `input` (what `validate` does with the decoded body). */
  withInput<A>(input: A): Delivery<A>;
  /**
   * This delivery with `handler` deciding its failures first; see
   * {@link FailHandler}. When `handler` is already the one attached last, the
   * delivery itself (a handler runs once per failure however often it is
   * attached in a row).
   */
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
