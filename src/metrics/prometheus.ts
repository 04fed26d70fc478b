import { labelsText, sanitizeMetricName } from './names.js';
import type { MetricSample, Metrics } from './types.js';

/** Prometheus float text: Go's ParseFloat reads JS number text, plus these three. */
const formatValue = (value: number): string =>
  Number.isNaN(value) ? 'NaN' : value === Infinity ? '+Inf' : value === -Infinity ? '-Inf' : String(value);

/** A help text in the text format: backslash and newline escaped. */
const escapeHelp = (help: string): string => help.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');

const samplesOf = (source: Pick<Metrics, 'snapshot'> | readonly MetricSample[]): readonly MetricSample[] =>
  'snapshot' in source ? source.snapshot() : source;

/**
 * Renders metrics in the Prometheus text exposition format 0.0.4: per
 * metric name a `# HELP` line (when `describe` gave it a text) and one
 * `# TYPE name counter|gauge|histogram` line, then its series, each with its
 * labels (`name{action="a",status="200"} 3`); names sanitised to
 * `[a-zA-Z_:][a-zA-Z0-9_:]*` (dots become '_'), histograms as cumulative
 * `name_bucket{…,le="…"}` lines ending with `le="+Inf"`, then `name_sum` and
 * `name_count`. A metric without labels or help renders as it always did. Serve it with content type `text/plain; version=0.0.4`.
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
  let family: string | undefined;
  for (const sample of samplesOf(source)) {
    const name = sanitizeMetricName(sample.name);
    if (name !== family) {
      // the series of one name come together: one HELP and TYPE for all of them
      family = name;
      if (sample.help !== undefined) lines.push(`# HELP ${name} ${escapeHelp(sample.help)}`);
      lines.push(`# TYPE ${name} ${sample.kind}`);
    }
    const labels = sample.labels ?? {};
    const series = labelsText(labels);
    if (sample.kind !== 'histogram') {
      lines.push(`${name}${series} ${formatValue(sample.value)}`);
      continue;
    }
    for (const bucket of sample.buckets) {
      lines.push(
        `${name}_bucket${labelsText({ ...labels, le: formatValue(bucket.le) })} ${formatValue(bucket.count)}`,
      );
    }
    if (sample.buckets.at(-1)?.le !== Infinity) {
      lines.push(`${name}_bucket${labelsText({ ...labels, le: '+Inf' })} ${formatValue(sample.count)}`);
    }
    lines.push(
      `${name}_sum${series} ${formatValue(sample.sum)}`,
      `${name}_count${series} ${formatValue(sample.count)}`,
    );
  }
  return lines.length === 0 ? '' : `${lines.join('\n')}\n`;
};
