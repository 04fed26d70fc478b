/**
 * Runs benchmark cases the same way everywhere: one warm-up round, then
 * `repetitions` rounds, alternating the order of the cases between rounds so
 * that drift (a busy neighbour, nsqd's heap growing) does not always favour the
 * same side; reports the median round.
 */
import { median, percentile } from './stats';

/** What one run of a case measured. */
export interface Measured {
  /** Messages (or requests) completed. */
  readonly count: number;
  /** Time from the first send (or subscribe) to the last completion. */
  readonly elapsedMs: number;
  /** Round-trip latencies, for request/reply cases. */
  readonly latenciesMs?: readonly number[];
  /** CPU seconds used meanwhile by a helper process (the request/reply service). */
  readonly serviceCpuSeconds?: number;
  /**
   * CPU seconds this process and nsqd used over `elapsedMs`, when the case
   * measured them itself (around its measured part only, without set-up or a
   * warm-up phase). Otherwise they are read around the whole run of the case.
   */
  readonly clientCpuSeconds?: number;
  readonly serverCpuSeconds?: number;
  /** Anything worth a line in the log (e.g. how the publisher batched). */
  readonly note?: string;
}

/** How long a run may go; cases that drain a fixed backlog ignore `durationMs`. */
export interface Budget {
  readonly durationMs: number;
  readonly warmup: boolean;
}

/** One thing to measure. `R` is what the group's round setup hands to every case. */
export interface BenchCase<R> {
  /** Short id used in ratios, e.g. `b`. */
  readonly id: string;
  readonly label: string;
  run(round: R, budget: Budget): Promise<Measured>;
}

/** Cases measured side by side. */
export interface BenchGroup<R> {
  readonly name: string;
  readonly cases: readonly BenchCase<R>[];
  /** Before each round (warm-up included): e.g. pre-fill a backlog all cases drain. */
  setupRound(round: number, warmup: boolean): Promise<R>;
  teardownRound?(round: R): Promise<void>;
}

export interface RunOptions {
  readonly repetitions: number;
  readonly durationMs: number;
  readonly warmupMs: number;
  /** CPU seconds nsqd used so far (NaN when unknown or no server). */
  readonly serverCpuSeconds: () => number;
  readonly log: (line: string) => void;
}

/** Median (and spread) of one case over the measured rounds. */
export interface CaseResult {
  readonly id: string;
  readonly label: string;
  /** Per round, msgs/s or req/s. */
  readonly rates: readonly number[];
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  /** Share of one core this process used while the case ran (median), e.g. 0.98. */
  readonly clientCpu: number;
  /** Same for nsqd. */
  readonly serverCpu: number;
  /** Same for a helper process, NaN when there is none. */
  readonly serviceCpu: number;
}

interface RoundSample {
  readonly rate: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly clientCpu: number;
  readonly serverCpu: number;
  readonly serviceCpu: number;
  readonly note: string | undefined;
}

const runOnce = async <R>(
  benchCase: BenchCase<R>,
  round: R,
  budget: Budget,
  options: RunOptions,
): Promise<RoundSample> => {
  const cpuBefore = process.cpuUsage();
  const serverBefore = options.serverCpuSeconds();
  const wallBefore = performance.now();
  const measured = await benchCase.run(round, budget);
  const wallS = (performance.now() - wallBefore) / 1000;
  const cpu = process.cpuUsage(cpuBefore);
  const latencies = measured.latenciesMs ?? [];
  return {
    rate: measured.count / (measured.elapsedMs / 1000),
    p50Ms: percentile(latencies, 50),
    p99Ms: percentile(latencies, 99),
    clientCpu:
      measured.clientCpuSeconds === undefined
        ? (cpu.user + cpu.system) / 1e6 / wallS
        : measured.clientCpuSeconds / (measured.elapsedMs / 1000),
    serverCpu:
      measured.serverCpuSeconds === undefined
        ? (options.serverCpuSeconds() - serverBefore) / wallS
        : measured.serverCpuSeconds / (measured.elapsedMs / 1000),
    serviceCpu: (measured.serviceCpuSeconds ?? Number.NaN) / (measured.elapsedMs / 1000),
    note: measured.note,
  };
};

/** Runs a group: warm-up round, then alternating-order rounds; returns one result per case. */
export const runGroup = async <R>(group: BenchGroup<R>, options: RunOptions): Promise<CaseResult[]> => {
  const samples = new Map<string, RoundSample[]>(group.cases.map((c) => [c.id, []]));
  for (let round = -1; round < options.repetitions; round += 1) {
    const warmup = round < 0;
    const budget: Budget = { durationMs: warmup ? options.warmupMs : options.durationMs, warmup };
    const order = round % 2 === 0 || warmup ? group.cases : [...group.cases].reverse();
    const state = await group.setupRound(round, warmup);
    try {
      for (const benchCase of order) {
        const sample = await runOnce(benchCase, state, budget, options);
        const latency = Number.isNaN(sample.p50Ms)
          ? ''
          : ` p50 ${sample.p50Ms.toFixed(2)} ms p99 ${sample.p99Ms.toFixed(2)} ms`;
        options.log(
          `  ${group.name} ${warmup ? 'warm-up' : `round ${round + 1}`} ${benchCase.id} ` +
            `${Math.round(sample.rate)}/s${latency} (client cpu ${Math.round(sample.clientCpu * 100)}%, ` +
            `nsqd cpu ${Number.isNaN(sample.serverCpu) ? '—' : `${Math.round(sample.serverCpu * 100)}%`}` +
            `${Number.isNaN(sample.serviceCpu) ? '' : `, service cpu ${Math.round(sample.serviceCpu * 100)}%`})` +
            `${sample.note ? ` ${sample.note}` : ''}`,
        );
        if (!warmup) samples.get(benchCase.id)?.push(sample);
      }
    } finally {
      await group.teardownRound?.(state);
    }
  }
  return group.cases.map((benchCase) => {
    const list = samples.get(benchCase.id) ?? [];
    const pick = (f: (s: RoundSample) => number): number => median(list.map(f));
    return {
      id: benchCase.id,
      label: benchCase.label,
      rates: list.map((s) => s.rate),
      rate: pick((s) => s.rate),
      p50Ms: pick((s) => s.p50Ms),
      p99Ms: pick((s) => s.p99Ms),
      clientCpu: pick((s) => s.clientCpu),
      serverCpu: pick((s) => s.serverCpu),
      serviceCpu: pick((s) => s.serviceCpu),
    };
  });
};
