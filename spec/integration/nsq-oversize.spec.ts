/**
 * Issue 8, defect 1, over a real nsqd started with a smaller `--max-msg-size`
 * and `--max-body-size` than the publisher's defaults: a message nsqd would
 * refuse fails alone, and the publishes batched or queued beside it (same
 * topic, other topics) are queued by nsqd exactly once, whether the publisher
 * read nsqd's limits over HTTP first or learns them from nsqd's refusal.
 */
import { firstValueFrom } from 'rxjs';
import { PayloadTooLargeError } from '../../src/errors.js';
import { fetchNsqdLimits } from '../../src/broker/nsq/limits.js';
import { nsqBroker } from '../../src/broker/nsq/nsqBroker.js';
import { createNsqPublisher } from '../../src/broker/nsq/publisher.js';
import { describeNsq, freePort, nsqChannelStats, nsqGet, nsqPost, type NsqStats } from '../helpers/nsq.js';

const MAX_MSG_SIZE = 65_536;
const MAX_BODY_SIZE = 131_072;

/** One publish per entry, all made in the same tick, in this order. */
interface Publish {
  readonly topic: string;
  readonly body: Uint8Array;
}

const small = (topic: string, i: number): Publish => ({ topic, body: Buffer.from(`${topic}-${i}`) });

/**
 * Topic `a`: 5 valid, one of 100 KiB, 5 valid; then topic `b`: 10 valid. nsqd
 * reads the MPUB of `a` first, so `b`'s MPUB is written behind the refused one.
 */
const oversizeAmongValid = (a: string, b: string): Publish[] => [
  ...Array.from({ length: 5 }, (_, i) => small(a, i)),
  { topic: a, body: new Uint8Array(100 * 1024).fill(66) },
  ...Array.from({ length: 5 }, (_, i) => small(a, 5 + i)),
  ...Array.from({ length: 10 }, (_, i) => small(b, i)),
];

describeNsq(
  'one oversize publish among valid ones',
  (servers) => {
    const createChannel = async (topic: string): Promise<void> => {
      await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
      await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
    };

    /** Messages nsqd put into `topic` (each one queued once counts once) and its channel's depth. */
    const queued = async (
      topic: string,
    ): Promise<{ messages: number | undefined; depth: number | undefined }> => {
      const stats = await nsqGet<NsqStats>(servers().nsqdHttp, `/stats?format=json&topic=${topic}`);
      const messages = (stats.topics ?? []).find((t) => t.topic_name === topic)?.message_count;
      const depth = (await nsqChannelStats(servers().nsqdHttp, topic, 'c'))?.depth;
      return { messages, depth };
    };

    const expectOnlyTheOversizeOneRefused = async (
      publishes: readonly Publish[],
      outcomes: readonly PromiseSettledResult<void>[],
    ): Promise<void> => {
      outcomes.forEach((outcome, i) => {
        const { body } = publishes[i] as Publish;
        if (body.length > MAX_MSG_SIZE) {
          expect(outcome.status).withContext(`publish ${i}`).toBe('rejected');
          const reason: unknown = outcome.status === 'rejected' ? outcome.reason : undefined;
          expect(reason).withContext(`publish ${i}`).toBeInstanceOf(PayloadTooLargeError);
          expect(reason).toEqual(jasmine.objectContaining({ size: body.length, limit: MAX_MSG_SIZE }));
        } else {
          expect(outcome.status)
            .withContext(`publish ${i}: ${outcome.status === 'rejected' ? String(outcome.reason) : ''}`)
            .toBe('fulfilled');
        }
      });
      for (const topic of new Set(publishes.map((p) => p.topic))) {
        const valid = publishes.filter((p) => p.topic === topic && p.body.length <= MAX_MSG_SIZE).length;
        expect(await queued(topic))
          .withContext(topic)
          .toEqual({ messages: valid, depth: valid });
      }
    };

    const publishAll = <T>(
      publishes: readonly Publish[],
      publish: (topic: string, body: Uint8Array) => Promise<T>,
    ): Promise<PromiseSettledResult<T>[]> =>
      Promise.allSettled(publishes.map(({ topic, body }) => publish(topic, body)));

    it('through the broker, which reads nsqd’s limits over HTTP: only the oversize one fails, before anything is sent', async () => {
      const [a, b] = ['big.http.a', 'big.http.b'];
      await Promise.all([createChannel(a), createChannel(b)]);
      const broker = nsqBroker({
        nsqd: servers().nsqdTcp,
        nsqdHttp: [servers().nsqdHttp],
        reconnect: { initialMs: 20 },
      });
      const statuses: string[] = [];
      const watching = broker.status$.subscribe((status) => statuses.push(status));
      try {
        const publishes = oversizeAmongValid(a, b);
        const outcomes = await publishAll(publishes, (topic, body) =>
          firstValueFrom(broker.publish(topic, body)),
        );
        await expectOnlyTheOversizeOneRefused(publishes, outcomes);
        expect(broker.maxMessageBytes).toBe(MAX_MSG_SIZE);
        // nsqd never refused anything, so it never dropped the connection
        expect(statuses).toEqual(['connecting', 'ready']);
      } finally {
        watching.unsubscribe();
        await broker.close();
      }
    }, 20_000);

    it('without nsqd’s HTTP address: learns the limit from the refusal, and re-sends the innocent ones exactly once', async () => {
      const [a, b] = ['big.learn.a', 'big.learn.b'];
      await Promise.all([createChannel(a), createChannel(b)]);
      const publisher = createNsqPublisher({ nsqd: servers().nsqdTcp, reconnect: { initialMs: 20 } });
      try {
        const publishes = oversizeAmongValid(a, b);
        const outcomes = await publishAll(publishes, (topic, body) => publisher.publish(topic, body));
        await expectOnlyTheOversizeOneRefused(publishes, outcomes);
        expect(publisher.stats().refused).toBe(1);
        // what it learned holds from now on: the next oversize one is refused before it is sent
        const reconnects = publisher.stats().reconnects;
        await expectAsync(publisher.publish(a, new Uint8Array(MAX_MSG_SIZE + 1))).toBeRejectedWithError(
          PayloadTooLargeError,
        );
        await publisher.publish(a, new Uint8Array(MAX_MSG_SIZE).fill(67));
        expect(publisher.stats().reconnects).toBe(reconnects);
        expect((await queued(a)).messages).toBe(11);
      } finally {
        await publisher.close();
      }
    }, 20_000);

    it('without nsqd’s HTTP address: an MPUB over --max-body-size is split, and every message arrives once', async () => {
      const topic = 'big.body.learn';
      await createChannel(topic);
      const publisher = createNsqPublisher({ nsqd: servers().nsqdTcp, reconnect: { initialMs: 20 } });
      try {
        // 4 × 60 KiB: each within --max-msg-size, together over --max-body-size
        const publishes = Array.from({ length: 4 }, (_, i) => ({
          topic,
          body: new Uint8Array(60 * 1024).fill(70 + i),
        }));
        const outcomes = await publishAll(publishes, (t, body) => publisher.publish(t, body));
        await expectOnlyTheOversizeOneRefused(publishes, outcomes);
      } finally {
        await publisher.close();
      }
    }, 20_000);

    it('with nsqd’s HTTP address: sizes its MPUBs to --max-body-size before sending', async () => {
      const topic = 'big.body.http';
      await createChannel(topic);
      const publisher = createNsqPublisher({
        nsqd: servers().nsqdTcp,
        nsqdHttp: servers().nsqdHttp,
        reconnect: { initialMs: 20 },
      });
      try {
        const publishes = Array.from({ length: 4 }, (_, i) => ({
          topic,
          body: new Uint8Array(60 * 1024).fill(70 + i),
        }));
        const outcomes = await publishAll(publishes, (t, body) => publisher.publish(t, body));
        await expectOnlyTheOversizeOneRefused(publishes, outcomes);
        expect(publisher.stats()).toEqual(
          jasmine.objectContaining({ refused: 0, reconnects: 0, commands: 2 }),
        );
        expect(publisher.limits()).toEqual({ maxMessageBytes: MAX_MSG_SIZE, maxBodyBytes: MAX_BODY_SIZE });
      } finally {
        await publisher.close();
      }
    }, 20_000);

    it('reads nsqd’s limits from GET /config, and fails fast where nothing answers', async () => {
      expect(await fetchNsqdLimits(servers().nsqdHttp, 2_000)).toEqual({
        maxMessageBytes: MAX_MSG_SIZE,
        maxBodyBytes: MAX_BODY_SIZE,
      });
      await expectAsync(fetchNsqdLimits(`127.0.0.1:${await freePort()}`, 2_000)).toBeRejected();
    });

    it('with a wrong HTTP address: publishes all the same, learning from the refusal', async () => {
      const topic = 'big.wrong-http';
      await createChannel(topic);
      const publisher = createNsqPublisher({
        nsqd: servers().nsqdTcp,
        nsqdHttp: `127.0.0.1:${await freePort()}`,
        reconnect: { initialMs: 20 },
      });
      try {
        const publishes = oversizeAmongValid(topic, topic);
        const outcomes = await publishAll(publishes, (t, body) => publisher.publish(t, body));
        await expectOnlyTheOversizeOneRefused(publishes, outcomes);
        expect(publisher.stats().refused).toBe(1);
      } finally {
        await publisher.close();
      }
    }, 20_000);
  },
  { nsqdArgs: () => [`--max-msg-size=${MAX_MSG_SIZE}`, `--max-body-size=${MAX_BODY_SIZE}`] },
);
