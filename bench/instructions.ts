/**
 * What one in-process call costs in instructions, counted by valgrind's
 * cachegrind: the calls of the `services` group's (a) and (b), without its
 * clock. On a shared VM, timed rounds swing ±30 % with the host's load; an
 * instruction count does not (runs of one case agree within 2 %), so it says
 * whether a change made the code cheaper. It does not say what a call takes
 * in time: an instruction that waits (a clock read, a cache miss) counts as
 * one.
 *
 *   (a) Moleculer 0.15, as `services` (a): the **baseline**.
 *   (b) rxmini `svc.call`, as `services` (b).
 *   (c), (d) the same, each the second of its kind the process runs (the
 *       first one made `warm` calls and was stopped), as in each round of
 *       `services` after the first.
 *
 * Each case is run twice under cachegrind (lib/callLoop.ts): with `warm`
 * calls only, and with `warm` then `measured` calls. The difference of the
 * two totals over `measured` is the cost of a warmed-up call. V8 runs with
 * `--single-threaded`: no compiler or collector thread whose timing changes
 * the count. No target: the `services` group's timed ratio is the target's
 * measure.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { formatCount, formatRatio } from './lib/stats';
import { pendingRow, type ReportRow } from './lib/report';

const run = promisify(execFile);

/** Calls before the measured ones: V8 has optimized the path by then. */
const WARM_CALLS = 100_000;
const MEASURED_CALLS = 200_000;
const SECTION = 'instructions per in-process call (cachegrind, no clock: runs agree within 2 %)';

interface CountCase {
  readonly id: string;
  readonly label: string;
  readonly lib: 'moleculer' | 'rxmini';
  readonly mode: 'once' | 'again';
}

const CASES: readonly CountCase[] = [
  { id: 'a', label: 'Moleculer 0.15 local call, as services (a)', lib: 'moleculer', mode: 'once' },
  { id: 'b', label: 'rxmini svc.call, as services (b)', lib: 'rxmini', mode: 'once' },
  { id: 'c', label: '(a), the second broker of the process', lib: 'moleculer', mode: 'again' },
  { id: 'd', label: '(b), the second service of the process', lib: 'rxmini', mode: 'again' },
];

/** The instructions cachegrind counted for one run of lib/callLoop.js. */
const countRun = async (countCase: CountCase, measured: number): Promise<number> => {
  const { stderr } = await run(
    'valgrind',
    [
      '--tool=cachegrind',
      '--cache-sim=no',
      '--cachegrind-out-file=/dev/null',
      process.execPath,
      '--single-threaded',
      join(__dirname, 'lib', 'callLoop.js'),
      countCase.lib,
      countCase.mode,
      String(WARM_CALLS),
      String(measured),
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  const found = /I\s+refs:\s+([\d,]+)/.exec(stderr);
  if (!found?.[1]) throw new Error(`instructions: no count in cachegrind's output: ${stderr.slice(-500)}`);
  return Number(found[1].replace(/,/g, ''));
};

/** Instructions per measured call of `countCase`. */
const perCall = async (countCase: CountCase): Promise<number> => {
  const [warmOnly, withMeasured] = await Promise.all([
    countRun(countCase, 0),
    countRun(countCase, MEASURED_CALLS),
  ]);
  return (withMeasured - warmOnly) / MEASURED_CALLS;
};

const hasValgrind = async (): Promise<boolean> => {
  try {
    await run('valgrind', ['--version']);
    return true;
  } catch {
    return false;
  }
};

export const runInstructions = async (log: (line: string) => void): Promise<ReportRow[]> => {
  if (!(await hasValgrind()))
    return [pendingRow(SECTION, '(all)', '—', 'valgrind is not installed (apt-get install valgrind)')];
  const counts = new Map<string, number>();
  // a case's two runs side by side (each is single-threaded): a count does not depend on the machine's load
  for (const countCase of CASES) {
    const count = await perCall(countCase);
    log(`  instructions ${countCase.id} ${Math.round(count)} per call`);
    counts.set(countCase.id, count);
  }
  const baselineOf: Record<string, string> = { a: 'a', b: 'a', c: 'c', d: 'c' };
  return CASES.map((countCase): ReportRow => {
    const count = counts.get(countCase.id) as number;
    const baselineId = baselineOf[countCase.id] as string;
    const baseline = counts.get(baselineId) as number;
    return {
      section: SECTION,
      label: `(${countCase.id}) ${countCase.label}`,
      result: `${formatCount(count)} instructions/call`,
      spread: `${formatCount(WARM_CALLS)} warm-up calls, then ${formatCount(MEASURED_CALLS)} counted`,
      vsBaseline:
        baselineId === countCase.id
          ? 'baseline'
          : `${formatRatio(count / baseline)} (${baselineId}) of its instructions`,
      target: '—',
      met: '—',
      cpu: '—',
    };
  });
};
