/**
 * Consume throughput, 256 B messages: one topic per round is pre-filled with
 * `BACKLOG` messages after two channels were created on it, so both consumers
 * drain identical backlogs from the same nsqd:
 *   (a) a raw nsqjs Reader, maxInFlight 2500, FIN in the handler — the baseline;
 *   (b) rxmini `consumeNsq`, same maxInFlight, `finish()` in the subscriber.
 * Target (issue 3): (b) ≥ 2 × (a).
 */
import * as nsq from 'nsqjs';
import type { Subscription } from 'rxjs';
import { consumeNsq } from '../src/broker/nsq/index';
import { waitFor } from './lib/load';
import type { BenchNsqd } from './lib/nsqd';
import { closeRawWriter, openRawWriter, rawMpub } from './lib/rawNsq';
import { resultRow, type ReportRow } from './lib/report';
import type { BenchCase, BenchGroup, Measured, RunOptions } from './lib/runner';
import { runGroup } from './lib/runner';
import { MESSAGE_BYTES } from './publish';

const BACKLOG = 200_000;
const WARMUP_BACKLOG = 20_000;
const MAX_IN_FLIGHT = 2500;
const DRAIN_TIMEOUT_MS = 60_000;
const CHANNELS = { raw: 'raw', rxmini: 'rxmini' } as const;

interface ConsumeRound {
  readonly nsqd: BenchNsqd;
  readonly topic: string;
  readonly backlog: number;
}

const rawReader: BenchCase<ConsumeRound> = {
  id: 'a',
  label: `raw nsqjs Reader, maxInFlight ${MAX_IN_FLIGHT}, FIN in handler`,
  async run({ nsqd, topic, backlog }) {
    const reader = new nsq.Reader(topic, CHANNELS.raw, {
      nsqdTCPAddresses: [nsqd.tcp],
      maxInFlight: MAX_IN_FLIGHT,
    });
    try {
      return await waitFor<Measured>(
        DRAIN_TIMEOUT_MS,
        `raw reader draining ${backlog}`,
        (resolve, reject) => {
          let received = 0;
          const start = performance.now();
          reader.on('error', reject);
          reader.on('message', (message) => {
            message.finish();
            received += 1;
            if (received === backlog) resolve({ count: received, elapsedMs: performance.now() - start });
          });
          reader.connect();
        },
      );
    } finally {
      // on the next turn, after this tick's FINs went out
      setImmediate(() => reader.close());
    }
  },
};

const rxminiConsumer: BenchCase<ConsumeRound> = {
  id: 'b',
  label: `rxmini consumeNsq, maxInFlight ${MAX_IN_FLIGHT}, finish() in subscriber`,
  async run({ nsqd, topic, backlog }) {
    let subscription: Subscription | undefined;
    try {
      return await waitFor<Measured>(DRAIN_TIMEOUT_MS, `rxmini draining ${backlog}`, (resolve, reject) => {
        let received = 0;
        const start = performance.now();
        subscription = consumeNsq({
          topic,
          channel: CHANNELS.rxmini,
          nsqd: [nsqd.tcp],
          maxInFlight: MAX_IN_FLIGHT,
        }).subscribe({
          next: (delivery) => {
            delivery.finish();
            received += 1;
            if (received === backlog) resolve({ count: received, elapsedMs: performance.now() - start });
          },
          error: reject,
        });
      });
    } finally {
      subscription?.unsubscribe();
    }
  },
};

export const consumeGroup = (nsqd: BenchNsqd): BenchGroup<ConsumeRound> => ({
  name: 'consume',
  cases: [rawReader, rxminiConsumer],
  async setupRound(round, warmup) {
    const topic = `bench_sub_${warmup ? 'w' : round}`;
    const backlog = warmup ? WARMUP_BACKLOG : BACKLOG;
    await nsqd.createTopic(topic, Object.values(CHANNELS));
    const writer = await openRawWriter(nsqd.host, nsqd.port);
    try {
      await rawMpub(writer, topic, Buffer.alloc(MESSAGE_BYTES, 'y'), backlog);
    } finally {
      await closeRawWriter(writer);
    }
    for (const channel of Object.values(CHANNELS)) {
      const depth = await nsqd.channelDepth(topic, channel);
      if (depth !== backlog) throw new Error(`consume: channel ${channel} holds ${depth}, not ${backlog}`);
    }
    return { nsqd, topic, backlog };
  },
  teardownRound: ({ topic }) => nsqd.deleteTopic(topic),
});

export const runConsume = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  const [a, b] = await runGroup(consumeGroup(nsqd), options);
  if (!a || !b) throw new Error('consume: missing results');
  const section = `consume ${MESSAGE_BYTES} B (${BACKLOG.toLocaleString('en-US')} backlog)`;
  return [
    resultRow(section, a, { unit: 'msgs/s', isBaseline: true }),
    resultRow(section, b, { unit: 'msgs/s', baselines: [a], ratioTarget: { baseline: a, min: 2 } }),
  ];
};
