/**
 * The memory broker (no server): publish → consume on one topic and channel,
 * 256 B messages, `finish()` in the subscriber, on the default `asyncScheduler`.
 * The producer runs in its own macrotask (setImmediate), not inside the
 * subscriber, keeping up to 1,000 messages published and not yet consumed
 * (under the broker's default queue bound of 10,000), topping up when half
 * were consumed. No raw baseline and no target: the services issue sets one
 * for the memory transport's request/response (see requestReply.ts).
 *
 * (b) is the message level over the same engine: the same pre-encoded message
 * bytes, consumed through `memoryTransport({ broker }).subscribeTopic` piped
 * into `handleDeliveries` (decode, validation, the delivery, the transport's
 * retry and dead-letter operators, the handler, finish). Its ratio to (a) is
 * what the operator pipeline costs per message.
 */
import type { Observable } from 'rxjs';
import { encode } from '../src/codec/wire';
import { handleDeliveries } from '../src/operators/handleDeliveries';
import { memoryBroker } from '../src/broker/memory/index';
import { memoryTransport } from '../src/transport/memoryTransport';
import { waitFor } from './lib/load';
import { resultRow, type ReportRow } from './lib/report';
import { runGroup, type BenchCase, type BenchGroup, type Measured, type RunOptions } from './lib/runner';
import { MESSAGE_BYTES } from './publish';

export const MAX_IN_FLIGHT = 2500;
const WINDOW = 1000;

/** Keeps up to WINDOW messages published and not yet consumed; resolves when the last is consumed. */
export const pumpThrough = (
  durationMs: number,
  publish: () => Observable<unknown>,
  consume: (onConsumed: () => void) => void,
): Promise<Measured> =>
  waitFor<Measured>(durationMs + 20_000, 'memory broker drain', (resolve, reject) => {
    const start = performance.now();
    const deadline = start + durationMs;
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
        publish().subscribe({ error: reject });
      }
    };
    const scheduleRefill = (): void => {
      if (refillScheduled) return;
      refillScheduled = true;
      setImmediate(refill);
    };
    consume(() => {
      consumed += 1;
      if (producing) {
        if (published - consumed <= WINDOW / 2) scheduleRefill();
      } else if (consumed === published) {
        resolve({ count: consumed, elapsedMs: performance.now() - start });
      }
    });
    refill();
  });

const publishConsume: BenchCase<number> = {
  id: 'a',
  label: `memoryBroker publish → consume, ≤ ${WINDOW.toLocaleString('en-US')} outstanding`,
  async run(round, budget) {
    const broker = memoryBroker();
    const topic = `bench_mem_${round < 0 ? 'w' : round}`;
    const body = new Uint8Array(MESSAGE_BYTES).fill(0x7a);
    try {
      return await pumpThrough(
        budget.durationMs,
        () => broker.publish(topic, body),
        (onConsumed) =>
          broker.consume({ topic, channel: 'bench', maxInFlight: MAX_IN_FLIGHT }).subscribe((delivery) => {
            delivery.finish();
            onConsumed();
          }),
      );
    } finally {
      await broker.close();
    }
  },
};

const transportPipeline: BenchCase<number> = {
  id: 'b',
  label: `memoryTransport subscribeTopic → handleDeliveries, same bytes and window`,
  async run(round, budget) {
    const broker = memoryBroker();
    const bus = memoryTransport({ broker, service: 'bench' });
    const topic = `bench_pipe_${round < 0 ? 'w' : round}`;
    const bytes = encode({
      type: 'event',
      contextID: 'bench-0000000000000000000000000000',
      body: { data: 'z'.repeat(MESSAGE_BYTES - 100) },
    });
    try {
      return await pumpThrough(
        budget.durationMs,
        () => broker.publish(topic, bytes),
        (onConsumed) =>
          bus
            .subscribeTopic(topic, { maxInFlight: MAX_IN_FLIGHT })
            .pipe(handleDeliveries(() => onConsumed()))
            .subscribe(),
      );
    } finally {
      await bus.close();
    }
  },
};

export const memoryGroup = (): BenchGroup<number> => ({
  name: 'memory',
  cases: [publishConsume, transportPipeline],
  setupRound: (round) => Promise.resolve(round),
});

export const runMemory = async (options: RunOptions): Promise<ReportRow[]> => {
  const [a, b] = await runGroup(memoryGroup(), options);
  if (!a || !b) throw new Error('memory group: a case is missing');
  const section = `memory broker ${MESSAGE_BYTES} B (no server)`;
  return [
    resultRow(section, a, { unit: 'msgs/s', isBaseline: true }),
    resultRow(section, b, { unit: 'msgs/s', baselines: [a] }),
  ];
};
