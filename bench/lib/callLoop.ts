/**
 * One run of the `instructions` group (bench/instructions.ts), under
 * cachegrind: starts the in-process echo of the `services` group, makes
 * `warm` calls and then `measured` calls, 100 outstanding, and exits.
 *
 *   node callLoop.js <moleculer|rxmini> <once|again> <warm> <measured>
 *
 * `again` first starts one, makes `warm` calls through it and stops it, as
 * each round of the `services` group does before the next: the measured one
 * is then the second of its kind the process has run.
 */
import { LOCAL_CONCURRENCY, startMoleculerLocal, startRxminiLocal, type LocalCaller } from '../services';

/** Makes exactly `total` calls, `concurrency` outstanding, and resolves when all are answered. */
const callTimes = (call: () => PromiseLike<unknown>, concurrency: number, total: number): Promise<void> =>
  new Promise((resolve, reject) => {
    let started = 0;
    let answered = 0;
    const next = (): void => {
      started += 1;
      call().then(() => {
        answered += 1;
        if (started < total) next();
        else if (answered === total) resolve();
      }, reject);
    };
    for (let i = 0; i < Math.min(concurrency, total); i += 1) next();
    if (total === 0) resolve();
  });

const main = async (): Promise<void> => {
  const [lib, mode, warm, measured] = process.argv.slice(2);
  const start: () => Promise<LocalCaller> =
    lib === 'moleculer'
      ? () => startMoleculerLocal()
      : lib === 'rxmini'
        ? startRxminiLocal
        : () => {
            throw new Error(`callLoop: unknown library ${String(lib)} (moleculer, rxmini)`);
          };
  const warmCalls = Number(warm);
  const measuredCalls = Number(measured);
  if (
    !Number.isInteger(warmCalls) ||
    !Number.isInteger(measuredCalls) ||
    (mode !== 'once' && mode !== 'again')
  )
    throw new Error('usage: callLoop.js <moleculer|rxmini> <once|again> <warm> <measured>');
  if (mode === 'again') {
    const first = await start();
    await callTimes(first.call, LOCAL_CONCURRENCY, warmCalls);
    await first.stop();
  }
  const caller = await start();
  await callTimes(caller.call, LOCAL_CONCURRENCY, warmCalls);
  await callTimes(caller.call, LOCAL_CONCURRENCY, measuredCalls);
  await caller.stop();
};

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
