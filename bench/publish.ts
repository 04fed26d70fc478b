/**
 * Publish throughput, 256 B messages, against one nsqd:
 *   (a) raw nsqjs `Writer.publish`, one message per call, 100 callbacks outstanding;
 *   (b) raw nsqjs arrays of 200 (MPUB), 8 in flight — the baseline of the target
 *       (4–16 in flight measured alike here, 1–2 lower);
 *   (c) rxmini `createNsqPublisher().publish`, one call per message, 100 outstanding;
 *   (d) the same with 10,000 outstanding (the publisher's default `maxQueued`).
 * Target (issue 3): (c) ≥ 0.7 × (b).
 */
import { filter, firstValueFrom } from 'rxjs';
import { createNsqPublisher } from '../src/broker/nsq/index';
import { closedLoop } from './lib/load';
import type { BenchNsqd } from './lib/nsqd';
import { closeRawWriter, openRawWriter } from './lib/rawNsq';
import { resultRow, type ReportRow } from './lib/report';
import { runGroup, type BenchCase, type BenchGroup, type RunOptions } from './lib/runner';

export const MESSAGE_BYTES = 256;
const MPUB_BATCH = 200;
const MPUB_IN_FLIGHT = 8;

interface PublishRound {
  readonly nsqd: BenchNsqd;
  readonly round: number;
}

const body = Buffer.alloc(MESSAGE_BYTES, 'x');

/** A fresh topic per case and round, deleted afterwards so nsqd's memory does not pile up. */
const withTopic = async <T>(
  state: PublishRound,
  id: string,
  run: (topic: string) => Promise<T>,
): Promise<T> => {
  const topic = `bench_pub_${id}_${state.round < 0 ? 'w' : state.round}`;
  await state.nsqd.createTopic(topic);
  try {
    return await run(topic);
  } finally {
    await state.nsqd.deleteTopic(topic);
  }
};

const rawCase = (id: string, label: string, concurrency: number, batch: number): BenchCase<PublishRound> => ({
  id,
  label,
  run: (state, budget) =>
    withTopic(state, id, async (topic) => {
      const writer = await openRawWriter(state.nsqd.host, state.nsqd.port);
      const messages: Buffer | Buffer[] = batch === 1 ? body : new Array<Buffer>(batch).fill(body);
      try {
        return await closedLoop(concurrency, budget.durationMs, (done, fail) =>
          writer.publish(topic, messages, (error) => (error ? fail(error) : done(batch))),
        );
      } finally {
        await closeRawWriter(writer);
      }
    }),
});

const rxminiCase = (id: string, label: string, concurrency: number): BenchCase<PublishRound> => ({
  id,
  label,
  run: (state, budget) =>
    withTopic(state, id, async (topic) => {
      const publisher = createNsqPublisher({
        nsqd: state.nsqd.tcp,
        maxQueued: Math.max(10_000, concurrency),
      });
      try {
        await firstValueFrom(publisher.status$.pipe(filter((status) => status === 'ready')));
        const measured = await closedLoop(concurrency, budget.durationMs, (done, fail) => {
          publisher.publish(topic, body).then(() => done(1), fail);
        });
        const { acknowledged, commands } = publisher.stats();
        return {
          ...measured,
          note: `[${commands} commands, ${Math.round(acknowledged / commands)} msgs each]`,
        };
      } finally {
        await publisher.close();
      }
    }),
});

const cases = {
  rawPub: rawCase('a', 'raw nsqjs PUB, 1 msg/call, 100 outstanding', 100, 1),
  rawMpub: rawCase(
    'b',
    `raw nsqjs MPUB ×${MPUB_BATCH}, ${MPUB_IN_FLIGHT} in flight`,
    MPUB_IN_FLIGHT,
    MPUB_BATCH,
  ),
  rxmini100: rxminiCase('c', 'rxmini publish, 1 msg/call, 100 outstanding', 100),
  rxmini10k: rxminiCase('d', 'rxmini publish, 1 msg/call, 10,000 outstanding', 10_000),
};

export const publishGroup = (nsqd: BenchNsqd): BenchGroup<PublishRound> => ({
  name: 'publish',
  cases: [cases.rawPub, cases.rawMpub, cases.rxmini100, cases.rxmini10k],
  setupRound: (round) => Promise.resolve({ nsqd, round }),
});

export const runPublish = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  const [a, b, c, d] = await runGroup(publishGroup(nsqd), options);
  if (!a || !b || !c || !d) throw new Error('publish: missing results');
  const section = `publish ${MESSAGE_BYTES} B`;
  return [
    resultRow(section, a, { unit: 'msgs/s', baselines: [b] }),
    resultRow(section, b, { unit: 'msgs/s', isBaseline: true }),
    resultRow(section, c, { unit: 'msgs/s', baselines: [b, a], ratioTarget: { baseline: b, min: 0.7 } }),
    resultRow(section, d, { unit: 'msgs/s', baselines: [b, a] }),
  ];
};
