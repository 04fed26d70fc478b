/**
 * In-process metrics: counters, gauges and latency histograms in a registry made
 * by {@link createMetrics}, scoped views with `withPrefix`, and the Prometheus
 * text exposition {@link toPrometheus}. The `measureLatency` operator lives in
 * `operators/`.
 *
 * @example
 * ```ts
 * import { createMetrics, toPrometheus } from 'rxmini';
 * const metrics = createMetrics();
 * metrics.withPrefix('db').inc('queries');
 * toPrometheus(metrics);
 * ```
 * @packageDocumentation
 */
export { createMetrics } from './createMetrics.js';
export type { CreateMetricsOptions } from './createMetrics.js';
export { InvalidMetricNameError, InvalidMetricValueError } from './errors.js';
export { DEFAULT_LATENCY_BUCKETS } from './histogram.js';
export {
  assertLabels,
  assertMetricName,
  labelsText,
  normalizeMetricPrefix,
  sanitizeMetricName,
} from './names.js';
export { toPrometheus } from './prometheus.js';
export { MetricKind } from './types.js';
export type {
  CounterSeries,
  HistogramBucket,
  HistogramSample,
  HistogramSeries,
  MetricLabels,
  MetricSample,
  Metrics,
  MetricsRecorder,
  ScalarSample,
} from './types.js';
