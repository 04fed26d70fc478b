import { InvalidMetricValueError } from './errors.js';
import type { HistogramBucket } from './types.js';

/**
 * Default latency buckets, in milliseconds (upper bounds; `+Inf` is implied).
 *
 * @example
 * ```ts
 * import { createMetrics, DEFAULT_LATENCY_BUCKETS } from 'rxmini';
 * const metrics = createMetrics({ buckets: [...DEFAULT_LATENCY_BUCKETS, 30_000] });
 * ```
 */
export const DEFAULT_LATENCY_BUCKETS: readonly number[] = Object.freeze([
  0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
]);

/** Mutable state of one histogram; `counts` has one slot per bound plus one for +Inf. */
export interface HistogramState {
  readonly bounds: readonly number[];
  readonly counts: number[];
  sum: number;
  count: number;
  min: number;
  max: number;
}

/** Throws unless `bounds` is a non-empty, strictly ascending list of finite numbers. */
export const assertBuckets = (bounds: readonly number[]): void => {
  const ascending = bounds.every((b, i) => Number.isFinite(b) && (i === 0 || b > (bounds[i - 1] as number)));
  if (bounds.length === 0 || !ascending) {
    throw new InvalidMetricValueError('(buckets)', bounds, 'buckets must be finite and strictly ascending');
  }
};

/** An empty histogram over `bounds` (already validated). */
export const newHistogram = (bounds: readonly number[]): HistogramState => ({
  bounds,
  counts: Array.from({ length: bounds.length + 1 }, () => 0),
  sum: 0,
  count: 0,
  min: Infinity,
  max: -Infinity,
});

/** Adds one observation (already validated) to `h`. */
export const recordObservation = (h: HistogramState, value: number): void => {
  const { bounds, counts } = h;
  const last = bounds.length;
  let index = 0;
  while (index < last && value > (bounds[index] as number)) index += 1;
  counts[index] = (counts[index] as number) + 1;
  h.sum += value;
  h.count += 1;
  if (value < h.min) h.min = value;
  if (value > h.max) h.max = value;
};

/**
 * Estimates quantile `q` (0..1) as Prometheus' `histogram_quantile` does (linear
 * within the bucket holding the rank), but with the bucket narrowed to the
 * observed min and max, so a single observation is estimated exactly and the
 * +Inf bucket has a finite top. 0 for an empty histogram.
 */
export const estimateQuantile = (h: HistogramState, q: number): number => {
  if (h.count === 0) return 0;
  const rank = q * h.count;
  let below = 0;
  for (let i = 0; i < h.counts.length; i += 1) {
    const inBucket = h.counts[i] ?? 0;
    if (inBucket === 0) continue;
    if (below + inBucket >= rank) {
      const lower = Math.max(i === 0 ? h.min : (h.bounds[i - 1] as number), h.min);
      const upper = Math.min(h.bounds[i] ?? h.max, h.max);
      return lower + (upper - lower) * ((rank - below) / inBucket);
    }
    below += inBucket;
  }
  return h.max;
};

/** Cumulative buckets, ending with `le: Infinity`. */
export const cumulativeBuckets = (h: HistogramState): HistogramBucket[] => {
  let running = 0;
  return h.counts.map((count, i) => {
    running += count;
    return { le: h.bounds[i] ?? Infinity, count: running };
  });
};
