import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type { PanicError } from '../errors.js';
import { reportPanic, type ReportPanicOptions } from './panicHook.js';

/**
 * Options of {@link safe} and {@link safeAsync}: the context to report and an
 * optional logger that replaces the one set by `setRecoverLogger`.
 *
 * @example
 * ```ts
 * import { safe, type SafeOptions } from 'rxmini';
 * const options: SafeOptions = { context: { contextID: 'c-1' } };
 * safe('parse', () => JSON.parse('{"port": 8080}') as unknown, options);
 * ```
 */
export type SafeOptions = ReportPanicOptions;

/**
 * What {@link safe} returns for a function returning `R`: an `Either` for a plain
 * value, a `Promise` of an `Either` for a promise (or any thenable).
 *
 * @example
 * ```ts
 * import type { SafeResult } from 'rxmini';
 * type A = SafeResult<number>;          // Either<PanicError, number>
 * type B = SafeResult<Promise<number>>; // Promise<Either<PanicError, number>>
 * ```
 */
export type SafeResult<R> = [R] extends [never]
  ? Either<PanicError, never>
  : R extends PromiseLike<infer U>
    ? Promise<Either<PanicError, U>>
    : Either<PanicError, R>;

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';

/**
 * Runs `fn` and never lets what it throws (or rejects with) escape. Success is
 * `right(value)`; a failure is reported (logger + panic hooks) and returned as
 * `left(PanicError)`, whose `cause` is the thrown value — never turned into a
 * silent success, as the original's `Safe` and `RecoverHandler` did.
 *
 * A function returning a promise gives a `Promise<Either>` that always resolves.
 * A function typed as returning a promise but throwing before it returns one
 * gives a plain `Either` (awaiting it still works); use {@link safeAsync} when
 * you need a promise in every case.
 *
 * @param label - names the failure in the report and in `PanicError.message`.
 * @param fn - the work to run, called once, synchronously.
 * @param options - context to report, and a logger for this call.
 * @example
 * ```ts
 * import { safe } from 'rxmini';
 * import { isLeft } from 'fp-ts/lib/Either.js';
 * const parsed = safe('config.parse', () => JSON.parse('{ oops') as unknown);
 * if (isLeft(parsed)) log.warn('bad config, using defaults', { cause: parsed.left.cause });
 * const saved = await safe('orders.save', async () => save({ id: 1 })); // Either<PanicError, void>
 * ```
 * @see {@link onPanic}
 */
export function safe<R>(label: string, fn: () => R, options?: SafeOptions): SafeResult<R>;
export function safe(
  label: string,
  fn: () => unknown,
  options?: SafeOptions,
): Either<PanicError, unknown> | Promise<Either<PanicError, unknown>> {
  let value: unknown;
  try {
    value = fn();
  } catch (e) {
    return left(reportPanic(label, e, options).error);
  }
  if (!isThenable(value)) return right(value);
  return Promise.resolve(value).then(
    (resolved) => right(resolved),
    (e: unknown) => left(reportPanic(label, e, options).error),
  );
}

/**
 * Like {@link safe}, but always returns a promise: a synchronous throw, a
 * rejection and a plain value all become a `Promise<Either<PanicError, T>>`
 * that resolves (never rejects).
 *
 * @param label - names the failure in the report and in `PanicError.message`.
 * @param fn - the work to run, called once, synchronously.
 * @param options - context to report, and a logger for this call.
 * @example
 * ```ts
 * import { safeAsync } from 'rxmini';
 * const order = { id: 'o-1' };
 * const result = await safeAsync('orders.save', () => save(order), {
 *   context: { orderId: order.id },
 * });
 * ```
 * @see {@link safe}
 */
export const safeAsync = <T>(
  label: string,
  fn: () => T | PromiseLike<T>,
  options?: SafeOptions,
): Promise<Either<PanicError, T>> =>
  new Promise<T>((resolve) => resolve(fn())).then(
    (value) => right(value),
    (e: unknown) => left(reportPanic(label, e, options).error),
  );
