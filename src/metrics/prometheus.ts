import { sanitizeMetricName } from './names.js';
import type { MetricSample, Metrics } from './types.js';

/** Prometheus float text: Go's ParseFloat reads JS number text, plus these three. */
const formatValue = (value: number): string =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);

const samplesOf = (source: Pick<Metrics, 'snapshot'> | readonly MetricSample[]): readonly MetricSample[] =>
  'snapshot' in source ? source.snapshot() : source;

/**
 * Renders metrics in the Prometheus text exposition format 0.0.4: one
 * `# TYPE name counter|gauge|histogram` line per metric, names sanitised to
 * `[a-zA-Z_:][a-zA-Z0-9_:]*` (dots become '_'), histograms as cumulative
 * `name_bucket{le="…"}` lines ending with `le="+Inf"`, then `name_sum` and
 * `name_count`. Serve it with content type `text/plain; version=0.0.4`.
 *
 * Why not prom-client: it is Node-only (it reaches for `process` and `cluster`),
 * keeps a global default registry, and would hold a second copy of what the
 * registry already stores; the format is small enough to write here, and this
 * way it also runs in a browser.
 *
 * @param source - a registry (anything with `snapshot()`) or samples.
 * @returns the exposition text, ending with a newline ('' when there are no metrics).
 * @example
 * ```ts
 * import { createMetrics, toPrometheus } from 'rxmini';
 * const metrics = createMetrics();
 * metrics.inc('db.queries');
 * toPrometheus(metrics); // '# TYPE db_queries counter\ndb_queries 1\n'
 * ```
 * @see {@link createMetrics}
 */
export const toPrometheus = (source: Pick<Metrics, 'snapshot'> | readonly MetricSample[]): string => {
  const lines: string[] = [];
  for (const sample of samplesOf(source)) {
    const name = sanitizeMetricName(sample.name);
    lines.push(`# TYPE ${name} ${sample.kind}`);
    if (sample.kind !== 'histogram') {
      lines.push(`${name} ${formatValue(sample.value)}`);
      continue;
    }
    for (const bucket of sample.buckets) {
      lines.push(`${name}_bucket{le="${formatValue(bucket.le)}"} ${formatValue(bucket.count)}`);
    }
    if (sample.buckets.at(-1)?.le !== Infinity) {
      lines.push(`${name}_bucket{le="+Inf"} ${formatValue(sample.count)}`);
    }
    lines.push(`${name}_sum ${formatValue(sample.sum)}`, `${name}_count ${formatValue(sample.count)}`);
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
};
