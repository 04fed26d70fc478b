/**
 * The markdown results table. Targets are printed as information: a benchmark
 * never fails the build.
 */
import type { CaseResult } from './runner';
import { formatCount, formatMs, formatRatio, median } from './stats';

export interface ReportRow {
  readonly section: string;
  readonly label: string;
  readonly result: string;
  readonly spread: string;
  readonly vsBaseline: string;
  readonly target: string;
  readonly met: string;
  readonly cpu: string;
}

/** A ratio target: `candidate ≥ min × baseline`. */
export interface RatioTarget {
  readonly baseline: CaseResult;
  readonly min: number;
}

export interface RowOptions {
  readonly unit: 'msgs/s' | 'req/s' | 'MiB/s';
  /** Ratios printed against these (first one is the main baseline). */
  readonly baselines?: readonly CaseResult[];
  readonly ratioTarget?: RatioTarget;
  /** Any other target, already judged. */
  readonly otherTarget?: { readonly text: string; readonly met: boolean };
  readonly withLatency?: boolean;
  /** Marks the row other rows are compared with. */
  readonly isBaseline?: boolean;
}

/**
 * Median over rounds of candidate ÷ baseline in the same round: both ran back
 * to back, so load that comes and goes cancels out better than in a ratio of
 * medians.
 */
export const ratioOf = (result: CaseResult, baseline: CaseResult): number =>
  median(result.rates.map((rate, round) => rate / (baseline.rates[round] ?? Number.NaN)));

const yesNo = (met: boolean): string => (met ? 'yes' : '**no**');

const cpuText = (result: CaseResult): string => {
  const pct = (x: number): string => (Number.isFinite(x) ? `${Math.round(x * 100)}%` : '—');
  const service = Number.isFinite(result.serviceCpu) ? ` / ${pct(result.serviceCpu)} service` : '';
  return `${pct(result.clientCpu)} / ${pct(result.serverCpu)}${service}`;
};

/** A row for one measured case. */
export const resultRow = (section: string, result: CaseResult, options: RowOptions): ReportRow => {
  const latency =
    options.withLatency && Number.isFinite(result.p50Ms)
      ? `; p50 ${formatMs(result.p50Ms)} ms, p99 ${formatMs(result.p99Ms)} ms`
      : '';
  const ratios = (options.baselines ?? [])
    .filter((baseline) => baseline.id !== result.id)
    .map((baseline) => `${formatRatio(ratioOf(result, baseline))} (${baseline.id})`)
    .join(', ');
  const targets: string[] = [];
  const verdicts: boolean[] = [];
  if (options.ratioTarget) {
    const { baseline, min } = options.ratioTarget;
    targets.push(`≥ ${min}× (${baseline.id})`);
    verdicts.push(ratioOf(result, baseline) >= min);
  }
  if (options.otherTarget) {
    targets.push(options.otherTarget.text);
    verdicts.push(options.otherTarget.met);
  }
  return {
    section,
    label: `(${result.id}) ${result.label}`,
    result: `${formatCount(result.rate)} ${options.unit}${latency}`,
    spread: result.rates.map((r) => formatCount(r)).join(' / '),
    vsBaseline: ratios || (options.isBaseline ? 'baseline' : '—'),
    target: targets.join('; ') || '—',
    met: verdicts.length === 0 ? '—' : verdicts.map(yesNo).join(', '),
    cpu: cpuText(result),
  };
};

/** A row for something not measured yet (kept in the table so the gap stays visible). */
export const pendingRow = (section: string, label: string, target: string, why: string): ReportRow => ({
  section,
  label,
  result: `not measured: ${why}`,
  spread: '—',
  vsBaseline: '—',
  target,
  met: '—',
  cpu: '—',
});

export const renderTable = (rows: readonly ReportRow[]): string => {
  const header =
    '| section | case | median of rounds | rounds | vs baseline | target | met | cpu client / nsqd |\n' +
    '|---|---|---|---|---|---|---|---|';
  const lines = rows.map(
    (r) =>
      `| ${r.section} | ${r.label} | ${r.result} | ${r.spread} | ${r.vsBaseline} | ${r.target} | ${r.met} | ${r.cpu} |`,
  );
  return [header, ...lines].join('\n');
};
