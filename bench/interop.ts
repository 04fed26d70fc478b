/**
 * What interop costs on the consuming side, on the memory broker (no server),
 * with the pump and window of `memory` (b): 256 B messages consumed through
 * `memoryTransport({ broker }).subscribeTopic` piped into `handleDeliveries`.
 *
 * (a) rxmini messages, strict (the `memory` group's (b)): the baseline;
 * (b) the same bytes on a transport with `compat: 'go-mini'` (decodeGoMini);
 * (c) a plain JSON payload of the same size, `payload: 'json'` (a delivery per
 *     message plus the `decodePayload` operator);
 * (d) the same JSON through an io-ts codec (`payload: t.type({ data: t.string })`);
 * (e) the same bytes as `payload: 'bytes'` (no parsing at all).
 *
 * No target: the ratios say what each choice costs per message.
 */
import * as t from 'io-ts';
import { encode } from '../src/codec/wire';
import type { Payload } from '../src/codec/payload';
import { handleDeliveries } from '../src/operators/handleDeliveries';
import { memoryBroker } from '../src/broker/memory/index';
import { memoryTransport } from '../src/transport/memoryTransport';
import type { TransportOptions } from '../src/transport/types';
import { resultRow, type ReportRow } from './lib/report';
import { runGroup, type BenchCase, type BenchGroup, type RunOptions } from './lib/runner';
import { MAX_IN_FLIGHT, pumpThrough } from './memory';
import { MESSAGE_BYTES } from './publish';

const DATA = 'z'.repeat(MESSAGE_BYTES - 100);
const MESSAGE_BODY = encode({
  type: 'event',
  contextID: 'bench-0000000000000000000000000000',
  body: { data: DATA },
});
const JSON_BODY = new TextEncoder().encode(
  JSON.stringify({ data: DATA, pad: 'z'.repeat(MESSAGE_BODY.length - DATA.length - 20) }),
);

const consumeCase = (
  id: string,
  label: string,
  bytes: Uint8Array,
  options: TransportOptions,
  payload: Payload | undefined,
): BenchCase<number> => ({
  id,
  label,
  async run(round, budget) {
    const broker = memoryBroker();
    const bus = memoryTransport({ broker, service: 'bench', ...options });
    const topic = `bench_interop_${id}_${round < 0 ? 'w' : round}`;
    try {
      return await pumpThrough(
        budget.durationMs,
        () => broker.publish(topic, bytes),
        (onConsumed) =>
          bus
            .subscribeTopic(topic, {
              maxInFlight: MAX_IN_FLIGHT,
              ...(payload === undefined ? {} : { payload }),
            })
            .pipe(handleDeliveries(() => onConsumed()))
            .subscribe(),
      );
    } finally {
      await bus.close();
    }
  },
});

export const interopGroup = (): BenchGroup<number> => ({
  name: 'interop',
  cases: [
    consumeCase('a', 'rxmini messages, strict', MESSAGE_BODY, {}, undefined),
    consumeCase('b', "rxmini messages, compat: 'go-mini'", MESSAGE_BODY, { compat: 'go-mini' }, undefined),
    consumeCase('c', "plain JSON, payload: 'json'", JSON_BODY, {}, 'json'),
    consumeCase('d', 'plain JSON, payload: an io-ts codec', JSON_BODY, {}, t.type({ data: t.string })),
    consumeCase('e', "the same bytes, payload: 'bytes'", JSON_BODY, {}, 'bytes'),
  ],
  setupRound: (round) => Promise.resolve(round),
});

export const runInterop = async (options: RunOptions): Promise<ReportRow[]> => {
  const results = await runGroup(interopGroup(), options);
  const [a] = results;
  if (!a || results.length !== 5) throw new Error('interop group: a case is missing');
  const section = `interop, memory broker ${MESSAGE_BYTES} B (no server)`;
  return results.map((result) =>
    result === a
      ? resultRow(section, result, { unit: 'msgs/s', isBaseline: true })
      : resultRow(section, result, { unit: 'msgs/s', baselines: [a] }),
  );
};
