/**
 * Closed-loop load: keep a fixed number of operations outstanding until a
 * deadline, then wait for the last ones. Every loop here is bounded by the
 * deadline, and a watchdog fails a run that stops making progress.
 */
import type { Measured } from './runner';

/** Starts one operation; it calls `done(n)` with how many messages it completed, or `fail`. */
export type Operation = (done: (completed: number) => void, fail: (error: unknown) => void) => void;

/** A run that has not finished this long after its deadline is reported as stuck. */
const WATCHDOG_GRACE_MS = 20_000;

/**
 * Keeps `concurrency` operations outstanding for `durationMs`. Throughput is
 * completed messages over the time from the first start to the last completion.
 *
 * With `clockEvery` > 1 the clock is read at every `clockEvery`-th completion
 * only, and the result counts the messages completed up to the last read, over
 * the time to it. For operations of a few hundred ns (in-process calls), where
 * a clock read per completion is a fifth of the work on both sides of a ratio.
 */
export const closedLoop = (
  concurrency: number,
  durationMs: number,
  operation: Operation,
  clockEvery = 1,
): Promise<Measured> =>
  new Promise((resolve, reject) => {
    const start = performance.now();
    const deadline = start + durationMs;
    let outstanding = 0;
    let completed = 0;
    /** When the clock was read last, and what had completed then. */
    let last = start;
    let completedAtLast = 0;
    let untilClock = clockEvery;
    let stopping = false;
    let settled = false;
    const watchdog = setTimeout(() => {
      finish(
        new Error(
          `no progress: ${outstanding} operations still outstanding ${WATCHDOG_GRACE_MS} ms after the deadline`,
        ),
      );
    }, durationMs + WATCHDOG_GRACE_MS);
    const finish = (error?: unknown): void => {
      if (settled) return;
      settled = true;
      clearTimeout(watchdog);
      if (error === undefined) resolve({ count: completedAtLast, elapsedMs: last - start });
      else reject(error instanceof Error ? error : new Error(String(error)));
    };
    const fail = (error: unknown): void => finish(error);
    const done = (n: number): void => {
      outstanding -= 1;
      completed += n;
      untilClock -= 1;
      if (untilClock === 0 || outstanding === 0) {
        untilClock = clockEvery;
        last = performance.now();
        completedAtLast = completed;
        if (last >= deadline) stopping = true;
      }
      if (!stopping) launch();
      else if (outstanding === 0) finish();
    };
    const launch = (): void => {
      if (settled) return;
      outstanding += 1;
      operation(done, fail);
    };
    for (let i = 0; i < concurrency; i += 1) launch();
  });

/** A callback-style wait with a deadline: rejects after `timeoutMs` unless `body` settles first. */
export const waitFor = <T>(
  timeoutMs: number,
  what: string,
  body: (resolve: (value: T) => void, reject: (error: Error) => void) => void,
): Promise<T> =>
  new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms: ${what}`)), timeoutMs);
    body(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
