import { left, right, type Either } from 'fp-ts/lib/Either.js';
import { exponentialBackoff, type BackoffSpacing } from '../backoff.js';
import { ConfigError } from '../../errors.js';

/** How reconnect attempts are spaced: exponential from `initialMs`, capped at `maxMs`, with jitter. */
export type ReconnectOptions = BackoffSpacing;

/**
 * Default reconnect spacing: 100 ms, doubling up to 10 s, ±20 % jitter.
 *
 * @example
 * ```ts
 * import { DEFAULT_RECONNECT } from 'rxmini/nsq';
 * const fast = { ...DEFAULT_RECONNECT, initialMs: 50 };
 * ```
 */
export const DEFAULT_RECONNECT: ReconnectOptions = Object.freeze({
  initialMs: 100,
  maxMs: 10_000,
  factor: 2,
  jitter: 0.2,
});

/**
 * Fills in and checks reconnect options.
 */
export const resolveReconnect = (
  options: Partial<ReconnectOptions> = {},
): Either<ConfigError, ReconnectOptions> => {
  const resolved = { ...DEFAULT_RECONNECT, ...options };
  const { initialMs, maxMs, factor, jitter } = resolved;
  const ok =
    Number.isFinite(initialMs) &&
    initialMs >= 0 &&
    Number.isFinite(maxMs) &&
    maxMs >= initialMs &&
    Number.isFinite(factor) &&
    factor >= 1 &&
    jitter >= 0 &&
    jitter <= 1;
  return ok
    ? right(resolved)
    : left(
        new ConfigError(
          `invalid reconnect options ${JSON.stringify(resolved)}: need 0 <= initialMs <= maxMs, factor >= 1, 0 <= jitter <= 1`,
        ),
      );
};

/**
 * Delay before retry number `attempt` (0 for the first retry):
 * `min(maxMs, initialMs × factor^attempt)`, spread by ±jitter, never above `maxMs`.
 *
 * @param random - source of randomness in [0, 1); inject a constant in tests.
 */
export const reconnectDelay = (
  attempt: number,
  options: ReconnectOptions,
  random: () => number = Math.random,
): number => exponentialBackoff(attempt, options, random);
