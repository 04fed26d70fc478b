/**
 * The retry policy of `retryWithBackoff`: defaults, checks, the backoff
 * delay, and whether a failure is worth another attempt.
 *
 * @packageDocumentation
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { exponentialBackoff } from '../broker/backoff.js';
import { MAX_REQUEUE_DELAY_MS } from '../constant/limits.js';
import { BadRequestError, ConfigError, DecodeError, NotFoundError, ValidationError } from '../errors.js';
import type { RetryPolicy } from './types.js';

/**
 * The policy of every topic no `retry` option covers: 5 deliveries in all,
 * then dead-lettered; 100 ms before the second, doubling up to 30 s, ±20 %.
 *
 * @example
 * ```ts
 * import { DEFAULT_RETRY_POLICY } from 'rxmini';
 * const gentle = { ...DEFAULT_RETRY_POLICY, initialDelayMs: 1_000 };
 * ```
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = Object.freeze({
  maxAttempts: 5,
  initialDelayMs: 100,
  factor: 2,
  maxDelayMs: 30_000,
  jitter: 0.2,
});

const isNumberAtLeast = (value: number, min: number): boolean =>
  typeof value === 'number' && !Number.isNaN(value) && value >= min;

/**
 * Checks a complete policy: `maxAttempts` ≥ 1 (an integer or `Infinity`),
 * `0 ≤ initialDelayMs ≤ maxDelayMs ≤ 1 h`, `factor ≥ 1`, `0 ≤ jitter ≤ 1`.
 *
 * @example
 * ```ts
 * import { checkRetryPolicy, DEFAULT_RETRY_POLICY } from 'rxmini';
 * checkRetryPolicy({ ...DEFAULT_RETRY_POLICY, factor: 0.5 }); // left(ConfigError)
 * ```
 */
export const checkRetryPolicy = (
  policy: RetryPolicy,
  where = 'retry policy',
): Either<ConfigError, RetryPolicy> => {
  const { maxAttempts, initialDelayMs, factor, maxDelayMs, jitter } = policy;
  const ok =
    (maxAttempts === Infinity || (Number.isInteger(maxAttempts) && maxAttempts >= 1)) &&
    isNumberAtLeast(initialDelayMs, 0) &&
    isNumberAtLeast(maxDelayMs, initialDelayMs) &&
    maxDelayMs <= MAX_REQUEUE_DELAY_MS &&
    isNumberAtLeast(factor, 1) &&
    Number.isFinite(factor) &&
    isNumberAtLeast(jitter, 0) &&
    jitter <= 1 &&
    (policy.retryable === undefined || typeof policy.retryable === 'function');
  return ok
    ? right(policy)
    : left(
        new ConfigError(
          `invalid ${where} ${JSON.stringify(policy)}: need maxAttempts >= 1, ` +
            `0 <= initialDelayMs <= maxDelayMs <= ${MAX_REQUEUE_DELAY_MS}, factor >= 1, 0 <= jitter <= 1`,
        ),
      );
};

/**
 * {@link DEFAULT_RETRY_POLICY} overlaid by each of `overrides` in turn (fields
 * that are `undefined` are skipped), checked as in {@link checkRetryPolicy}.
 */
export const completeRetryPolicy = (
  overrides: readonly Partial<RetryPolicy>[],
  where = 'retry policy',
): Either<ConfigError, RetryPolicy> =>
  checkRetryPolicy(
    Object.assign({}, DEFAULT_RETRY_POLICY, ...overrides.map(definedFields)) as RetryPolicy,
    where,
  );

/** The fields that are not `undefined`, so `{ factor: undefined }` does not erase a default. */
const definedFields = (partial: Partial<RetryPolicy>): Partial<RetryPolicy> =>
  Object.fromEntries(Object.entries(partial).filter(([, value]) => value !== undefined));

/**
 * How long to wait before redelivering a message whose delivery number
 * `attempts` (1 on the first) just failed:
 * `min(maxDelayMs, initialDelayMs × factor^(attempts−1))`, spread by ±`jitter`
 * using `random` (in [0, 1); 0.5 means no spread), rounded to whole ms and kept
 * within `[0, maxDelayMs]`.
 *
 * @param random - source of randomness; inject a constant in tests.
 * @example
 * ```ts
 * import { backoffDelay, DEFAULT_RETRY_POLICY } from 'rxmini';
 * backoffDelay(1, DEFAULT_RETRY_POLICY, () => 0.5); // 100
 * backoffDelay(4, DEFAULT_RETRY_POLICY, () => 0.5); // 800
 * backoffDelay(4, DEFAULT_RETRY_POLICY, () => 0); // 640 (−20 %)
 * ```
 */
export const backoffDelay = (
  attempts: number,
  policy: RetryPolicy,
  random: () => number = Math.random,
): number =>
  exponentialBackoff(
    attempts - 1,
    {
      initialMs: policy.initialDelayMs,
      maxMs: policy.maxDelayMs,
      factor: policy.factor,
      jitter: policy.jitter,
    },
    random,
  );

/**
 * Errors that fail the same way however often they are retried: a body that is
 * not valid (`ValidationError`), a malformed request (`BadRequestError`),
 * bytes that do not decode (`DecodeError`), an action nobody handles (`NotFoundError`). A policy without `retryable`
 * dead-letters them at once.
 *
 * @example
 * ```ts
 * import { isPermanentError, ValidationError } from 'rxmini';
 * isPermanentError(new ValidationError([])); // true
 * isPermanentError(new Error('db down')); // false
 * ```
 */
export const isPermanentError = (error: unknown): boolean =>
  error instanceof ValidationError ||
  error instanceof BadRequestError ||
  error instanceof DecodeError ||
  error instanceof NotFoundError;

/**
 * Whether a delivery that failed on attempt `attempts` with `error` is given
 * another one under `policy`. Without `retryable`, every error but a permanent
 * one ({@link isPermanentError}) is retried. A `retryable` callback that throws
 * counts as "not retryable" (the message is dead-lettered rather than looping).
 */
export const shouldRetry = (attempts: number, policy: RetryPolicy, error: unknown): boolean => {
  if (attempts >= policy.maxAttempts) return false;
  if (policy.retryable === undefined) return !isPermanentError(error);
  try {
    return policy.retryable(error) === true;
  } catch {
    return false;
  }
};
