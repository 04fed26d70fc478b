import { isLeft } from 'fp-ts/lib/Either.js';
import { map, type MonoTypeOperatorFunction } from 'rxjs';
import { RetriesExhaustedError } from '../errors.js';
import { asDelivery } from '../delivery/delivery.js';
import { backoffDelay, completeRetryPolicy, shouldRetry } from '../delivery/retry.js';
import type { Delivery, FailHandler, RetryPolicy } from '../delivery/types.js';

/**
 * Options of {@link retryWithBackoff} besides the policy.
 *
 * @example
 * ```ts
 * import type { RetryWithBackoffOptions } from 'rxmini';
 * const noJitter: RetryWithBackoffOptions = { random: () => 0.5 };
 * ```
 */
export interface RetryWithBackoffOptions {
  /** Randomness in [0, 1) for the jitter; default `Math.random`. Inject a constant in tests. */
  readonly random?: () => number;
}

/**
 * The failure handler of {@link retryWithBackoff}: requeue with the policy's
 * backoff while the broker's attempt count allows and the error is retryable;
 * otherwise hand a {@link RetriesExhaustedError} (the error as its `cause`) to
 * the next handler. A failure that another retry policy already gave up on is
 * passed on as it is, so the innermost policy decides.
 *
 * @example
 * ```ts
 * import { retryFailHandler, DEFAULT_RETRY_POLICY } from 'rxmini';
 * const handler = retryFailHandler({ ...DEFAULT_RETRY_POLICY, maxAttempts: 3 }, Math.random);
 * ```
 */
export const retryFailHandler =
  (policy: RetryPolicy, random: () => number): FailHandler =>
  (failure, next) => {
    const { error, delivery } = failure;
    if (error instanceof RetriesExhaustedError) return next(error);
    if (shouldRetry(delivery.attempts, policy, error)) {
      return failure.requeue(backoffDelay(delivery.attempts, policy, random)) ? 'requeued' : 'ignored';
    }
    return next(new RetriesExhaustedError(delivery.attempts, policy.maxAttempts, { cause: error }));
  };

/**
 * Retries failed deliveries through the broker: each delivery that passes gets
 * a failure handler, so that when it fails (`delivery.fail(error)`, which
 * `handleDeliveries` calls when the handler throws), it is requeued (NSQ `REQ`,
 * a server-side delay that survives a restart) after
 * `min(maxDelayMs, initialDelayMs × factor^(attempts−1))` ± jitter, counting
 * the broker's attempts. Out of attempts, or for an error the policy's
 * `retryable` refuses (by default `ValidationError`, `BadRequestError`,
 * `DecodeError` and `NotFoundError`: they would fail again), the failure goes on to the handler
 * attached before, typically {@link deadLetter}; with none, the delivery is
 * requeued at once.
 *
 * Place it after `deadLetter` and before the handler. The policy is checked
 * here: an invalid one throws a `ConfigError` at once. The transport's `retry`
 * option attaches this operator's failure handler to every delivery it makes; one placed in your
 * own pipe decides first, and when it gives up the transport's dead letter
 * takes over.
 *
 * @param policy - overrides of {@link DEFAULT_RETRY_POLICY}.
 * @example
 * ```ts
 * import { deadLetter, handleDeliveries, memoryTransport, retryWithBackoff } from 'rxmini';
 * const bus = memoryTransport();
 * bus
 *   .subscribeTopic('orders.created')
 *   .pipe(
 *     deadLetter({ publish: bus.publish, topic: 'orders.failed' }),
 *     retryWithBackoff({ maxAttempts: 3, initialDelayMs: 1_000 }),
 *     handleDeliveries(async () => {
 *       throw new Error('db down'); // requeued after 1 s, then 2 s, then dead-lettered
 *     }),
 *   )
 *   .subscribe();
 * ```
 * @see {@link deadLetter}
 */
export const retryWithBackoff = <D extends Delivery>(
  policy: Partial<RetryPolicy> = {},
  options: RetryWithBackoffOptions = {},
): MonoTypeOperatorFunction<D> => {
  const checked = completeRetryPolicy([policy], 'retryWithBackoff policy');
  if (isLeft(checked)) throw checked.left;
  const handler = retryFailHandler(checked.right, options.random ?? Math.random);
  return map((delivery) => asDelivery(delivery, 'retryWithBackoff').withFailHandler(handler) as D);
};
