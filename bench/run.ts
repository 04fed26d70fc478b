/**
 * Entry point of `npm run bench`: starts one nsqd, runs every group against it
 * in one process, prints a markdown table (medians of 3 rounds, ratios against
 * raw nsqjs measured in the same run), stops nsqd, and exits by itself.
 *
 *   node .build/bench/run.js [publish] [consume] [memory] [reqrep] [hops] [firstuse] [services] [instructions] [interop] [streams] [files] [--quick]
 *
 * With no group named, all run. `--quick` runs one short round (a smoke test;
 * its numbers are not worth reporting). Targets are printed, never asserted.
 */
import { cpus, loadavg } from 'node:os';
import { runConsume } from './consume';
import { runFiles } from './files';
import { runMemory } from './memory';
import { runHops } from './hops';
import { runInstructions } from './instructions';
import { runInterop } from './interop';
import { startBenchNsqd, type BenchNsqd } from './lib/nsqd';
import { pendingRow, renderTable, type ReportRow } from './lib/report';
import type { RunOptions } from './lib/runner';
import { runPublish } from './publish';
import { runServices } from './services';
import { runStreams } from './streams';
import { runFirstUse, runRequestReply } from './requestReply';

const GROUPS = [
  'publish',
  'consume',
  'memory',
  'reqrep',
  'hops',
  'firstuse',
  'services',
  'instructions',
  'interop',
  'streams',
  'files',
] as const;
type GroupName = (typeof GROUPS)[number];

const args = process.argv.slice(2);
const quick = args.includes('--quick');
const named = args.filter((a): a is GroupName => (GROUPS as readonly string[]).includes(a));
const unknown = args.filter((a) => a !== '--quick' && !(GROUPS as readonly string[]).includes(a));
const selected: readonly GroupName[] = named.length > 0 ? named : GROUPS;

const log = (line: string): void => {
  process.stderr.write(`${line}\n`);
};

const load = (): string =>
  loadavg()
    .map((x) => x.toFixed(2))
    .join(' ');

const options = (nsqd: BenchNsqd | undefined, durationMs: number): RunOptions => ({
  repetitions: quick ? 1 : 3,
  durationMs: quick ? Math.min(durationMs, 1000) : durationMs,
  warmupMs: quick ? 300 : 750,
  serverCpuSeconds: nsqd ? () => nsqd.cpuSeconds() : () => Number.NaN,
  log,
});

const main = async (): Promise<void> => {
  if (unknown.length > 0)
    throw new Error(`unknown arguments: ${unknown.join(' ')} (groups: ${GROUPS.join(', ')}, --quick)`);
  const started = performance.now();
  const loadBefore = load();
  const nsqd = await startBenchNsqd();
  const rows: ReportRow[] = [];
  try {
    const runners: Record<GroupName, () => Promise<ReportRow[]>> = {
      publish: () => runPublish(nsqd, options(nsqd, 2500)),
      consume: () => runConsume(nsqd, options(nsqd, 0)),
      memory: () => runMemory(options(undefined, 2000)),
      reqrep: () => runRequestReply(nsqd, options(nsqd, 2500)),
      hops: () => runHops(nsqd, options(nsqd, 2500)),
      firstuse: () => runFirstUse(nsqd, options(nsqd, 2500)),
      services: () => runServices(nsqd, options(nsqd, 2500)),
      instructions: () => runInstructions(log),
      interop: () => runInterop(options(undefined, 2000)),
      streams: () => runStreams(nsqd, options(nsqd, 2500)),
      files: () => runFiles(nsqd, options(nsqd, 0)),
    };
    for (const group of selected) {
      log(`${group}…`);
      try {
        rows.push(...(await runners[group]()));
      } catch (error) {
        log(`${group} failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
        rows.push(
          pendingRow(
            group,
            '(all)',
            '—',
            `failed: ${error instanceof Error ? error.message : String(error)}`,
          ),
        );
        process.exitCode = 1;
      }
    }
  } finally {
    await nsqd.close();
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(0);
  const cpu = cpus()[0]?.model ?? 'unknown CPU';
  process.stdout.write(
    [
      `rxmini benchmarks — ${new Date().toISOString()}${quick ? ' (QUICK: one short round, not for reporting)' : ''}`,
      `${cpus().length} × ${cpu}; node ${process.version}; ${nsqd.version}; ` +
        `load average before ${loadBefore}, after ${load()}; took ${seconds} s`,
      '',
      renderTable(rows),
      '',
    ].join('\n'),
  );
};

/** Everything is closed by now; a handle left open (a bug here) must not keep `npm run bench` hanging. */
const EXIT_GRACE_MS = 5_000;

main()
  .catch((error: unknown) => {
    log(error instanceof Error ? (error.stack ?? error.message) : String(error));
    process.exitCode = 1;
  })
  .finally(() => {
    setTimeout(() => {
      log(`bench: something is still open ${EXIT_GRACE_MS} ms after the end; exiting anyway`);
      process.exit(process.exitCode ?? 1);
    }, EXIT_GRACE_MS).unref();
  });
