/**
 * Exponential backoff with jitter, written once: the broker layer spaces its
 * reconnects with it, and the transport spaces its redeliveries with it.
 *
 * It lives in the broker layer, the lowest of the two, so that both may import
 * it without the broker ever importing the message level.
 *
 * @internal
 * @packageDocumentation
 */

/** How retries are spaced: exponential from `initialMs`, capped at `maxMs`, with jitter. */
export interface BackoffSpacing {
  /** Delay before the first retry, in ms. */
  readonly initialMs: number;
  /** Longest delay between retries, in ms. */
  readonly maxMs: number;
  /** Growth of the delay per failed attempt (≥ 1). */
  readonly factor: number;
  /** Random spread, as a fraction of the delay (0–1): 0.2 gives ±20 %. */
  readonly jitter: number;
}

/**
 * Delay before retry number `retry` (0 for the first retry):
 * `min(maxMs, initialMs × factor^retry)`, spread by ±`jitter` using `random`
 * (in [0, 1); 0.5 means no spread), rounded to whole ms and kept within
 * `[0, maxMs]`. A `retry` that is not a finite number counts as 0, a fractional
 * one is rounded down; a `random` outside [0, 1] is clamped, and one that is
 * not a number counts as 0.5.
 *
 * @param random - source of randomness; inject a constant in tests.
 */
export const exponentialBackoff = (
  retry: number,
  spacing: BackoffSpacing,
  random: () => number = Math.random,
): number => {
  const exponent = Number.isFinite(retry) ? Math.max(0, Math.floor(retry)) : 0;
  const base = Math.min(spacing.maxMs, spacing.initialMs * spacing.factor ** exponent);
  const r = random();
  const spread = 1 + spacing.jitter * (2 * (Number.isFinite(r) ? Math.min(1, Math.max(0, r)) : 0.5) - 1);
  return Math.round(Math.min(spacing.maxMs, Math.max(0, base * spread)));
};
