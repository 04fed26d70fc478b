/**
 * Small numeric helpers for the benchmarks: medians, percentiles, formatting.
 */

/** Median of a non-empty list (mean of the two middle values for an even count). */
export const median = (values: readonly number[]): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[mid] as number)
    : ((sorted[mid - 1] as number) + (sorted[mid] as number)) / 2;
};

/** Nearest-rank percentile (`p` in 0–100) of an unsorted list. */
export const percentile = (values: readonly number[], p: number): number => {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] as number;
};

/** `12345.6` → `12,346`. */
export const formatCount = (value: number): string =>
  Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '—';

/** `0.41234` → `0.41` (ms). */
export const formatMs = (value: number): string =>
  Number.isFinite(value) ? (value < 10 ? value.toFixed(2) : value.toFixed(1)) : '—';

/** `0.7123` → `0.71×`. */
export const formatRatio = (value: number): string => (Number.isFinite(value) ? `${value.toFixed(2)}×` : '—');
