/**
 * The memory broker (no server): publish → consume on one topic and channel,
 * 256 B messages, `finish()` in the subscriber, on the default `asyncScheduler`.
 * The producer runs in its own macrotask (setImmediate), not inside the
 * subscriber, keeping up to 1,000 messages published and not yet consumed
 * (under the broker's default queue bound of 10,000), topping up when half
 * were consumed. No raw baseline and no target: the services issue sets one
 * for the memory transport's request/response (see requestReply.ts).
 */
import { memoryBroker } from '../src/broker/memory/index';
import { waitFor } from './lib/load';
import { resultRow, type ReportRow } from './lib/report';
import { runGroup, type BenchCase, type BenchGroup, type Measured, type RunOptions } from './lib/runner';
import { MESSAGE_BYTES } from './publish';

const MAX_IN_FLIGHT = 2500;
const WINDOW = 1000;

const publishConsume: BenchCase<number> = {
  id: 'a',
  label: `memoryBroker publish → consume, ≤ ${WINDOW.toLocaleString('en-US')} outstanding`,
  async run(round, budget) {
    const broker = memoryBroker();
    const topic = `bench_mem_${round < 0 ? 'w' : round}`;
    const body = new Uint8Array(MESSAGE_BYTES).fill(0x7a);
    try {
      return await waitFor<Measured>(budget.durationMs + 20_000, 'memory broker drain', (resolve, reject) => {
        const start = performance.now();
        const deadline = start + budget.durationMs;
        let published = 0;
        let consumed = 0;
        let producing = true;
        let refillScheduled = false;
        const refill = (): void => {
          refillScheduled = false;
          if (performance.now() >= deadline) {
            producing = false;
            if (consumed === published) resolve({ count: consumed, elapsedMs: performance.now() - start });
            return;
          }
          while (published - consumed < WINDOW) {
            published += 1;
            broker.publish(topic, body).subscribe({ error: reject });
          }
        };
        const scheduleRefill = (): void => {
          if (refillScheduled) return;
          refillScheduled = true;
          setImmediate(refill);
        };
        broker.consume({ topic, channel: 'bench', maxInFlight: MAX_IN_FLIGHT }).subscribe({
          next: (delivery) => {
            delivery.finish();
            consumed += 1;
            if (producing) {
              if (published - consumed <= WINDOW / 2) scheduleRefill();
            } else if (consumed === published) {
              resolve({ count: consumed, elapsedMs: performance.now() - start });
            }
          },
          error: reject,
        });
        refill();
      });
    } finally {
      await broker.close();
    }
  },
};

export const memoryGroup = (): BenchGroup<number> => ({
  name: 'memory',
  cases: [publishConsume],
  setupRound: (round) => Promise.resolve(round),
});

export const runMemory = async (options: RunOptions): Promise<ReportRow[]> => {
  const results = await runGroup(memoryGroup(), options);
  return results.map((result) =>
    resultRow(`memory broker ${MESSAGE_BYTES} B (no server)`, result, { unit: 'msgs/s' }),
  );
};
