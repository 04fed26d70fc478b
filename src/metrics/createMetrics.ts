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
import {
  assertLabels,
  labelsText,
  normalizeMetricPrefix,
  sanitizeMetricName,
  assertMetricName,
} from './names.js';
import type {
  CounterSeries,
  HistogramSeries,
  MetricKind,
  MetricLabels,
  MetricSample,
  Metrics,
  MetricsRecorder,
} from './types.js';

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

type Entry = { readonly name: string; readonly labels: MetricLabels | undefined } & (
  | { readonly kind: 'counter' | 'gauge'; value: number }
  | { readonly kind: 'histogram'; readonly histogram: HistogramState }
);

/** A metric name and the series of it that share its kind and help text. */
interface Family {
  readonly kind: MetricKind;
  help?: string;
}

/** The label text of sorted labels that came from frozen labels (see {@link sortedLabels}): made once. */
const cachedText = new WeakMap<MetricLabels, string>();

/** The key of one series: the name, then its labels sorted (`name{a="1",b="2"}`); the bare name without labels. */
const seriesKey = (name: string, labels: MetricLabels | undefined): string =>
  labels === undefined ? name : name + (cachedText.get(labels) ?? labelsText(labels));

/** Sorted labels of frozen labels a caller passes again and again (a hot path keeps them): sorted once. */
const cachedSorted = new WeakMap<MetricLabels, MetricLabels | undefined>();

/** The labels sorted by name, or undefined when there are none. */
const sortedLabels = (labels: MetricLabels | undefined): MetricLabels | undefined => {
  if (labels === undefined) return undefined;
  if (cachedSorted.has(labels)) return cachedSorted.get(labels);
  const names = Object.keys(labels);
  if (names.length === 0) return undefined;
  assertLabels(labels);
  const sorted: MetricLabels = Object.freeze(
    Object.fromEntries(names.sort().map((label) => [label, labels[label] as string])),
  );
  if (Object.isFrozen(labels)) {
    // frozen: they cannot change, so their sorted form and its text can be kept
    cachedSorted.set(labels, sorted);
    cachedText.set(sorted, labelsText(sorted));
  }
  return sorted;
};

/** Exposition names a histogram `h` also takes, beside its own. */
const HISTOGRAM_SUFFIXES = ['_bucket', '_sum', '_count', '_p50', '_p99'] as const;

/** The one place metric state lives; everything else is a view on it. */
class MetricsRegistry implements Metrics {
  /** Series by {@link seriesKey}. */
  private readonly entries = new Map<string, Entry>();
  private readonly families = new Map<string, Family>();
  /** Help text given before the metric's first write. */
  private readonly helpTexts = new Map<string, string>();
  /** Prometheus name → rxmini name that owns it, to refuse names that would collide there. */
  private readonly claimed = new Map<string, string>();
  /** Bumped by `reset()`: a series handle looks its entry up again. */
  generation = 0;

  constructor(
    private readonly bounds: readonly number[],
    private readonly scheduler: SchedulerLike,
    private readonly maxMetrics: number,
  ) {}

  inc(name: string, labels?: MetricLabels): void {
    this.add(name, 1, labels);
  }

  add(name: string, delta: number, labels?: MetricLabels): void {
    assertFinite(name, delta);
    const entry = this.entries.get(seriesKey(name, sortedLabels(labels)));
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
    this.scalar(name, 'counter', labels).value += delta;
  }

  set(name: string, value: number, labels?: MetricLabels): void {
    assertFinite(name, value);
    this.scalar(name, 'gauge', labels).value = value;
  }

  observe(name: string, ms: number, labels?: MetricLabels): void {
    assertFinite(name, ms);
    if (ms < 0) throw new InvalidMetricValueError(name, ms, 'a latency cannot be negative');
    recordObservation(this.histogramState(name, labels), ms);
  }

  time(name: string, labels?: MetricLabels): () => number {
    assertMetricName(name);
    const start = this.scheduler.now();
    let elapsed: number | undefined;
    return () => {
      if (elapsed === undefined) {
        // a wall clock may step back; a latency never does
        elapsed = Math.max(0, this.scheduler.now() - start);
        this.observe(name, elapsed, labels);
      }
      return elapsed;
    };
  }

  describe(name: string, help: string): void {
    assertMetricName(name);
    if (typeof help !== 'string') throw new InvalidMetricNameError(name, 'a help text is a string');
    const family = this.families.get(name);
    if (family !== undefined) family.help = help;
    else this.helpTexts.set(name, help);
  }

  withPrefix(prefix: string): MetricsRecorder {
    return scoped(this, normalizeMetricPrefix(prefix));
  }

  export(): Record<string, number> {
    return Object.fromEntries(
      this.snapshot().flatMap((sample): [string, number][] => {
        const key = seriesKey(sample.name, sample.labels);
        return sample.kind === 'histogram'
          ? [
              [`${key}.count`, sample.count],
              [`${key}.sum`, sample.sum],
              [`${key}.p50`, sample.p50],
              [`${key}.p99`, sample.p99],
            ]
          : [[key, sample.value]];
      }),
    );
  }

  snapshot(): readonly MetricSample[] {
    return [...this.entries.values()].sort(bySeries).map((entry): MetricSample => {
      const { name, labels } = entry;
      const help = this.families.get(name)?.help;
      const extra = { ...(labels === undefined ? {} : { labels }), ...(help === undefined ? {} : { help }) };
      if (entry.kind !== 'histogram') return { name, kind: entry.kind, value: entry.value, ...extra };
      const h = entry.histogram;
      return {
        name,
        kind: 'histogram',
        buckets: cumulativeBuckets(h),
        sum: h.sum,
        count: h.count,
        p50: estimateQuantile(h, 0.5),
        p99: estimateQuantile(h, 0.99),
        ...extra,
      };
    });
  }

  counter(name: string, labels?: MetricLabels): CounterSeries {
    return new CounterHandle(this, name, labels);
  }

  histogram(name: string, labels?: MetricLabels): HistogramSeries {
    return new HistogramHandle(this, name, labels);
  }

  reset(): void {
    this.generation += 1;
    this.entries.clear();
    this.families.clear();
    this.helpTexts.clear();
    this.claimed.clear();
  }

  /** The state of a series, registered when new (its name, labels and kind checked). */
  scalar(name: string, kind: 'counter' | 'gauge', labels?: MetricLabels): { value: number } {
    const sorted = sortedLabels(labels);
    const entry =
      this.entries.get(seriesKey(name, sorted)) ?? this.register({ name, labels: sorted, kind, value: 0 });
    if (entry.kind !== kind) throw kindConflict(name, entry.kind, kind);
    return entry as { value: number };
  }

  /** The state of a histogram series, registered when new. */
  histogramState(name: string, labels?: MetricLabels): HistogramState {
    const sorted = sortedLabels(labels);
    const entry =
      this.entries.get(seriesKey(name, sorted)) ??
      this.register({ name, labels: sorted, kind: 'histogram', histogram: newHistogram(this.bounds) });
    if (entry.kind !== 'histogram') throw kindConflict(name, entry.kind, 'histogram');
    return entry.histogram;
  }

  private register(entry: Entry): Entry {
    const { name } = entry;
    assertMetricName(name);
    if (this.entries.size >= this.maxMetrics) {
      throw new InvalidMetricNameError(
        name,
        `the registry already holds ${this.maxMetrics} metrics (maxMetrics)`,
      );
    }
    const family = this.families.get(name);
    if (family !== undefined) {
      // another series of a known name: same kind, its exposition names are claimed already
      if (family.kind !== entry.kind) throw kindConflict(name, family.kind, entry.kind);
    } else {
      const base = sanitizeMetricName(name);
      const exposed =
        entry.kind === 'histogram' ? [base, ...HISTOGRAM_SUFFIXES.map((s) => base + s)] : [base];
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
      const help = this.helpTexts.get(name);
      this.helpTexts.delete(name);
      this.families.set(name, { kind: entry.kind, ...(help === undefined ? {} : { help }) });
    }
    this.entries.set(seriesKey(name, entry.labels), entry);
    return entry;
  }
}

/** A counter series of a registry: its entry looked up on the first `inc` (and again after a reset). */
class CounterHandle implements CounterSeries {
  private entry: { value: number } | undefined = undefined;
  private generation = -1;

  constructor(
    private readonly registry: MetricsRegistry,
    private readonly name: string,
    private readonly labels: MetricLabels | undefined,
  ) {}

  inc(delta = 1): void {
    const entry = this.entry;
    if (
      entry !== undefined &&
      this.generation === this.registry.generation &&
      delta >= 0 &&
      delta !== Infinity
    )
      entry.value += delta;
    else this.incFirst(delta);
  }

  /** `inc` by a bad delta, or the first after this handle was made or the registry reset (kept out of `inc`, so that V8 inlines `inc`). */
  private incFirst(delta: number): void {
    if (!(delta >= 0 && delta !== Infinity)) {
      assertFinite(this.name, delta);
      throw new InvalidMetricValueError(
        this.name,
        delta,
        'a counter only goes up; set() it first to make a gauge',
      );
    }
    // looked up (and registered, its name and labels checked) on the first write, and after a reset
    this.entry = this.registry.scalar(this.name, 'counter', this.labels);
    this.generation = this.registry.generation;
    this.entry.value += delta;
  }
}

/** A histogram series of a registry: its state looked up on the first `observe` (and again after a reset). */
class HistogramHandle implements HistogramSeries {
  private state: HistogramState | undefined = undefined;
  private generation = -1;

  constructor(
    private readonly registry: MetricsRegistry,
    private readonly name: string,
    private readonly labels: MetricLabels | undefined,
  ) {}

  observe(ms: number): void {
    const state = this.state;
    if (state !== undefined && this.generation === this.registry.generation && ms >= 0 && ms !== Infinity)
      recordObservation(state, ms);
    else this.observeFirst(ms);
  }

  /** `observe` of a bad value, or the first after this handle was made or the registry reset (kept out of `observe`, so that V8 inlines `observe`). */
  private observeFirst(ms: number): void {
    if (!(ms >= 0 && ms !== Infinity)) {
      assertFinite(this.name, ms);
      throw new InvalidMetricValueError(this.name, ms, 'a latency cannot be negative');
    }
    this.state = this.registry.histogramState(this.name, this.labels);
    this.generation = this.registry.generation;
    recordObservation(this.state, ms);
  }
}

/** By name, then the unlabelled series first, then by labels: each name's series stay together. */
const bySeries = (a: Entry, b: Entry): number => {
  if (a.name !== b.name) return a.name < b.name ? -1 : 1;
  const ka = a.labels === undefined ? '' : labelsText(a.labels);
  const kb = b.labels === undefined ? '' : labelsText(b.labels);
  return ka < kb ? -1 : ka > kb ? 1 : 0;
};

const assertFinite = (name: string, value: number): void => {
  if (!Number.isFinite(value)) throw new InvalidMetricValueError(name, value, 'must be a finite number');
};

const kindConflict = (name: string, existing: MetricKind, wanted: MetricKind): InvalidMetricNameError =>
  new InvalidMetricNameError(name, `already a ${existing}, cannot be used as a ${wanted}`);

const scoped = (target: MetricsRecorder, prefix: string): MetricsRecorder =>
  prefix === ''
    ? target
    : {
        inc: (name, labels) => target.inc(prefix + name, labels),
        add: (name, delta, labels) => target.add(prefix + name, delta, labels),
        set: (name, value, labels) => target.set(prefix + name, value, labels),
        observe: (name, ms, labels) => target.observe(prefix + name, ms, labels),
        time: (name, labels) => target.time(prefix + name, labels),
        describe: (name, help) => target.describe(prefix + name, help),
        withPrefix: (inner) => scoped(target, prefix + normalizeMetricPrefix(inner)),
        counter: (name, labels) => target.counter(prefix + name, labels),
        histogram: (name, labels) => target.histogram(prefix + name, labels),
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
