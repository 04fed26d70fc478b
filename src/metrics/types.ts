/**
 * The kinds of metric, named as in the Prometheus text format: a counter only
 * goes up (`inc`, `add`), a gauge is set (`set`, then `add` either way), a
 * histogram records latencies (`observe`, `time`).
 *
 * @example
 * ```ts
 * import { MetricKind } from 'rxmini';
 * const kind: MetricKind = MetricKind.counter;
 * ```
 */
export const MetricKind = {
  counter: 'counter',
  gauge: 'gauge',
  histogram: 'histogram',
} as const;

/** Union of the {@link MetricKind} names. */
export type MetricKind = (typeof MetricKind)[keyof typeof MetricKind];

/**
 * Labels of one series of a metric (Prometheus labels): label name → value.
 * A name with labels is a family of series, one per distinct set of values;
 * keep the values bounded (an action, a status), never message data.
 *
 * @example
 * ```ts
 * import { createMetrics, type MetricLabels } from 'rxmini';
 * const labels: MetricLabels = { action: 'auth.login', status: '200' };
 * createMetrics().inc('action_calls_total', labels);
 * ```
 */
export type MetricLabels = Readonly<Record<string, string>>;

/**
 * Writes metrics. A registry is one; `withPrefix` gives a scoped one writing
 * into the same registry. The kind of a name is fixed by its first write.
 *
 * @example
 * ```ts
 * import { createMetrics, type MetricsRecorder } from 'rxmini';
 * const db: MetricsRecorder = createMetrics().withPrefix('db');
 * db.inc('queries');              // counter db.queries
 * db.set('pool.size', 10);        // gauge db.pool.size
 * db.observe('query_ms', 3.2);    // histogram db.query_ms
 * ```
 */
export interface MetricsRecorder {
  /** Adds 1 to a counter (or a gauge); with `labels`, to that series of it. */
  inc(name: string, labels?: MetricLabels): void;
  /**
   * Adds `delta` to a counter (`delta` ≥ 0) or to a gauge (any sign). A new
   * name becomes a counter; call `set` first for a gauge that goes both ways.
   */
  add(name: string, delta: number, labels?: MetricLabels): void;
  /** Sets a gauge. A name already used as a counter or histogram is rejected. */
  set(name: string, value: number, labels?: MetricLabels): void;
  /** Records one latency, in milliseconds (≥ 0), in a histogram. */
  observe(name: string, ms: number, labels?: MetricLabels): void;
  /**
   * Starts a timer on the registry's scheduler; the returned function records
   * the elapsed milliseconds once (later calls only return them again).
   */
  time(name: string, labels?: MetricLabels): () => number;
  /** Sets the help text of `name` (its `# HELP` line in Prometheus), before or after its first write. */
  describe(name: string, help: string): void;
  /** A recorder whose names all start with `prefix` (a '.' is added when missing). */
  withPrefix(prefix: string): MetricsRecorder;
  /**
   * One series of a counter, looked up once: its `inc` costs an addition (for
   * a hot path that counts the same series again and again). Nothing is
   * recorded until the first `inc`; the name and labels are checked then, as
   * `inc(name, labels)` checks them.
   */
  counter(name: string, labels?: MetricLabels): CounterSeries;
  /** One series of a histogram, looked up once (see {@link MetricsRecorder.counter}). */
  histogram(name: string, labels?: MetricLabels): HistogramSeries;
}

/**
 * One series of a counter, from {@link MetricsRecorder.counter}.
 *
 * @example
 * ```ts
 * import { createMetrics } from 'rxmini';
 * const sent = createMetrics().counter('orders.sent', { region: 'eu' });
 * sent.inc(); // as metrics.inc('orders.sent', { region: 'eu' })
 * ```
 */
export interface CounterSeries {
  /** Adds `delta` (default 1, never negative) to the series. */
  inc(delta?: number): void;
}

/**
 * One series of a latency histogram, from {@link MetricsRecorder.histogram}.
 *
 * @example
 * ```ts
 * import { createMetrics } from 'rxmini';
 * const saves = createMetrics().histogram('orders.save_ms');
 * saves.observe(12.5); // as metrics.observe('orders.save_ms', 12.5)
 * ```
 */
export interface HistogramSeries {
  /** Records one latency, in milliseconds (≥ 0). */
  observe(ms: number): void;
}

/** One bucket of a {@link HistogramSample}: how many observations were ≤ `le`. */
export interface HistogramBucket {
  /** Upper bound in milliseconds; `Infinity` for the last bucket. */
  readonly le: number;
  /** Cumulative count of observations ≤ `le`. */
  readonly count: number;
}

/** A counter or a gauge in a {@link Metrics.snapshot}. */
export interface ScalarSample {
  readonly name: string;
  readonly kind: 'counter' | 'gauge';
  readonly value: number;
  /** The series' labels, sorted by name; absent for a metric without labels. */
  readonly labels?: MetricLabels;
  /** The help text given with `describe`, if any. */
  readonly help?: string;
}

/** A latency histogram in a {@link Metrics.snapshot}. */
export interface HistogramSample {
  readonly name: string;
  readonly kind: 'histogram';
  /** Cumulative buckets, ascending, the last one with `le: Infinity`. */
  readonly buckets: readonly HistogramBucket[];
  /** Sum of all observations, in milliseconds. */
  readonly sum: number;
  /** Number of observations. */
  readonly count: number;
  /** Estimated median, interpolated within its bucket and clamped to the observed range. */
  readonly p50: number;
  /** Estimated 99th percentile, computed as `p50`. */
  readonly p99: number;
  /** The series' labels, sorted by name; absent for a metric without labels. */
  readonly labels?: MetricLabels;
  /** The help text given with `describe`, if any. */
  readonly help?: string;
}

/**
 * One metric with its kind, as `toPrometheus` needs it.
 *
 * @example
 * ```ts
 * import { createMetrics, type MetricSample } from 'rxmini';
 * const samples: readonly MetricSample[] = createMetrics().snapshot();
 * ```
 */
export type MetricSample = ScalarSample | HistogramSample;

/**
 * A metrics registry: a {@link MetricsRecorder} that can also be read and reset.
 *
 * @example
 * ```ts
 * import { createMetrics, toPrometheus } from 'rxmini';
 * const metrics = createMetrics();
 * metrics.inc('responses_sent');
 * metrics.export(); // { responses_sent: 1 }
 * toPrometheus(metrics); // '# TYPE responses_sent counter\nresponses_sent 1\n'
 * ```
 */
export interface Metrics extends MetricsRecorder {
  /**
   * A copy of every value, by name. A histogram `h` appears as `h.count`,
   * `h.sum`, `h.p50` and `h.p99`. A series with labels is named as in
   * Prometheus: `calls{action="a",status="200"}`, `latency{…}.count`.
   */
  export(): Record<string, number>;
  /** Every series with its kind, sorted by name, then by labels (a name's series stay together). */
  snapshot(): readonly MetricSample[];
  /** Forgets every metric (names, kinds and values). */
  reset(): void;
}
