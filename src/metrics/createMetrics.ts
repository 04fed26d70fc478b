import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { InvalidMetricNameError, InvalidMetricValueError } from './errors.js';
import {
  DEFAULT_LATENCY_BUCKETS,
  assertBuckets,
  cumulativeBuckets,
  estimateQuantile,
  newHistogram,
  recordObservation,
  type HistogramState,
} from './histogram.js';
import { assertMetricName, normalizeMetricPrefix, sanitizeMetricName } from './names.js';
import type { MetricKind, MetricSample, Metrics, MetricsRecorder } from './types.js';

/** Options of {@link createMetrics}. */
export interface CreateMetricsOptions {
  /** Histogram bucket upper bounds in ms; default {@link DEFAULT_LATENCY_BUCKETS}. */
  readonly buckets?: readonly number[];
  /** Clock of `time()`; default `asyncScheduler` (virtual under `TestScheduler.run`). */
  readonly scheduler?: SchedulerLike;
  /**
   * Most distinct names the registry accepts (default 10 000); a new name past it
   * is rejected, so a name built from message data cannot grow it without bound.
   */
  readonly maxMetrics?: number;
}

type Entry =
  | { readonly kind: 'counter' | 'gauge'; value: number }
  | { readonly kind: 'histogram'; readonly histogram: HistogramState };

/** Exposition names a histogram `h` also takes, beside its own. */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count', '_p50', '_p99'] as const;

/** The one place metric state lives; everything else is a view on it. */
class MetricsRegistry implements Metrics {
  private readonly entries = new Map<string, Entry>();
  /** Prometheus name → rxmini name that owns it, to refuse names that would collide there. */
  private readonly claimed = new Map<string, string>();

  constructor(
    private readonly bounds: readonly number[],
    private readonly scheduler: SchedulerLike,
    private readonly maxMetrics: number,
  ) {}

  inc(name: string): void {
    this.add(name, 1);
  }

  add(name: string, delta: number): void {
    assertFinite(name, delta);
    const entry = this.entries.get(name);
    if (entry?.kind === 'gauge') {
      entry.value += delta;
      return;
    }
    if (entry?.kind === 'histogram') throw kindConflict(name, 'histogram', 'counter');
    if (delta < 0) {
      throw new InvalidMetricValueError(
        name,
        delta,
        'a counter only goes up; set() it first to make a gauge',
      );
    }
    this.scalar(name, 'counter').value += delta;
  }

  set(name: string, value: number): void {
    assertFinite(name, value);
    this.scalar(name, 'gauge').value = value;
  }

  observe(name: string, ms: number): void {
    assertFinite(name, ms);
    if (ms < 0) throw new InvalidMetricValueError(name, ms, 'a latency cannot be negative');
    recordObservation(this.histogram(name), ms);
  }

  time(name: string): () => number {
    assertMetricName(name);
    const start = this.scheduler.now();
    let elapsed: number | undefined;
    return () => {
      if (elapsed === undefined) {
        // a wall clock may step back; a latency never does
        elapsed = Math.max(0, this.scheduler.now() - start);
        this.observe(name, elapsed);
      }
      return elapsed;
    };
  }

  withPrefix(prefix: string): MetricsRecorder {
    return scoped(this, normalizeMetricPrefix(prefix));
  }

  export(): Record<string, number> {
    return Object.fromEntries(
      this.snapshot().flatMap((sample): [string, number][] =>
        sample.kind === 'histogram'
          ? [
              [`${sample.name}.count`, sample.count],
              [`${sample.name}.sum`, sample.sum],
              [`${sample.name}.p50`, sample.p50],
              [`${sample.name}.p99`, sample.p99],
            ]
          : [[sample.name, sample.value]],
      ),
    );
  }

  snapshot(): readonly MetricSample[] {
    return [...this.entries.entries()]
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([name, entry]): MetricSample => {
        if (entry.kind !== 'histogram') return { name, kind: entry.kind, value: entry.value };
        const h = entry.histogram;
        return {
          name,
          kind: 'histogram',
          buckets: cumulativeBuckets(h),
          sum: h.sum,
          count: h.count,
          p50: estimateQuantile(h, 0.5),
          p99: estimateQuantile(h, 0.99),
        };
      });
  }

  reset(): void {
    this.entries.clear();
    this.claimed.clear();
  }

  private scalar(name: string, kind: 'counter' | 'gauge'): { value: number } {
    const entry = this.entries.get(name) ?? this.register(name, { kind, value: 0 });
    if (entry.kind !== kind) throw kindConflict(name, entry.kind, kind);
    return entry as { value: number };
  }

  private histogram(name: string): HistogramState {
    const entry =
      this.entries.get(name) ??
      this.register(name, { kind: 'histogram', histogram: newHistogram(this.bounds) });
    if (entry.kind !== 'histogram') throw kindConflict(name, entry.kind, 'histogram');
    return entry.histogram;
  }

  private register(name: string, entry: Entry): Entry {
    assertMetricName(name);
    if (this.entries.size >= this.maxMetrics) {
      throw new InvalidMetricNameError(
        name,
        `the registry already holds ${this.maxMetrics} metrics (maxMetrics)`,
      );
    }
    const base = sanitizeMetricName(name);
    const exposed = entry.kind === 'histogram' ? [base, ...HISTOGRAM_SUFFIXES.map((s) => base + s)] : [base];
    for (const exposedName of exposed) {
      const owner = this.claimed.get(exposedName);
      if (owner !== undefined) {
        throw new InvalidMetricNameError(
          name,
          `collides with ${JSON.stringify(owner)} as ${exposedName} in Prometheus`,
        );
      }
    }
    for (const exposedName of exposed) this.claimed.set(exposedName, name);
    this.entries.set(name, entry);
    return entry;
  }
}

const assertFinite = (name: string, value: number): void => {
  if (!Number.isFinite(value)) throw new InvalidMetricValueError(name, value, 'must be a finite number');
};

const kindConflict = (name: string, existing: MetricKind, wanted: MetricKind): InvalidMetricNameError =>
  new InvalidMetricNameError(name, `already a ${existing}, cannot be used as a ${wanted}`);

const scoped = (target: MetricsRecorder, prefix: string): MetricsRecorder =>
  prefix === ''
    ? target
    : {
        inc: (name) => target.inc(prefix + name),
        add: (name, delta) => target.add(prefix + name, delta),
        set: (name, value) => target.set(prefix + name, value),
        observe: (name, ms) => target.observe(prefix + name, ms),
        time: (name) => target.time(prefix + name),
        withPrefix: (inner) => scoped(target, prefix + normalizeMetricPrefix(inner)),
      };

/**
 * A new, empty metrics registry (one per service; there is no global default).
 * Counters, gauges and latency histograms live in memory; read them with
 * `export()`, `snapshot()` or `toPrometheus`.
 *
 * Names are validated, not rewritten: an invalid name, a name reused with
 * another kind, or two names that would collide in Prometheus (`a.b` and `a_b`)
 * throw {@link InvalidMetricNameError}; a non-finite value, a negative latency or
 * a counter asked to go down throw {@link InvalidMetricValueError}.
 *
 * @param options - histogram buckets, the clock of `time()`, the name cap.
 * @example
 * ```ts
 * import { createMetrics } from 'rxmini';
 * const metrics = createMetrics();
 * metrics.inc('responses_sent');
 * metrics.set('inflight', 3);
 * const stop = metrics.time('orders.save_ms');
 * await save({ id: 1 });
 * stop();
 * metrics.export(); // { 'orders.save_ms.count': 1, 'orders.save_ms.p50': …, inflight: 3, responses_sent: 1, … }
 * ```
 * @see {@link toPrometheus}
 */
export const createMetrics = (options: CreateMetricsOptions = {}): Metrics => {
  const buckets = [...(options.buckets ?? DEFAULT_LATENCY_BUCKETS)];
  assertBuckets(buckets);
  const maxMetrics = options.maxMetrics ?? 10_000;
  if (!(Number.isInteger(maxMetrics) && maxMetrics > 0)) {
    throw new InvalidMetricValueError('(maxMetrics)', maxMetrics, 'must be a positive integer');
  }
  return new MetricsRegistry(buckets, options.scheduler ?? asyncScheduler, maxMetrics);
};
