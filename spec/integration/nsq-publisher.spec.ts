/**
 * The NSQ publisher against a real nsqd: batching into MPUB, typed refusals that
 * leave the connection usable, close, and the connection error a timeout names
 * as its cause. Deferred publishes: nsq-deferred.spec.ts.
 */
import { firstValueFrom, map, take, tap, timeout, toArray } from 'rxjs';
import { InvalidNameError, PayloadTooLargeError, TransportClosedError } from '../../src/errors.js';
import { consumeNsq } from '../../src/broker/nsq/consumer.js';
import { PublishTimeoutError } from '../../src/broker/nsq/errors.js';
import {
  createNsqPublisher,
  type NsqConnectionStatus,
  type NsqPublisher,
} from '../../src/broker/nsq/publisher.js';
import { describeNsq, freePort, nsqGet, nsqPost, startRelay, type Relay } from '../helpers/nsq.js';
import { waitFor } from '../helpers/wait.js';

interface Stats {
  readonly topics:
    | readonly {
        readonly topic_name: string;
        readonly message_count: number;
        readonly channels: readonly { readonly channel_name: string; readonly depth: number }[] | null;
      }[]
    | null;
}

const text = (body: Uint8Array): string => Buffer.from(body).toString('utf8');

describeNsq('nsq publisher', (servers) => {
  let publisher: NsqPublisher;

  beforeEach(() => {
    publisher = createNsqPublisher({ nsqd: servers().nsqdTcp, reconnect: { initialMs: 50 } });
  });

  afterEach(async () => {
    await publisher.close();
  });

  const createChannel = async (topic: string, channel = 'c'): Promise<void> => {
    await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
    await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=${channel}`);
  };

  const topicMessageCount = async (topic: string): Promise<number | undefined> => {
    const stats = await nsqGet<Stats>(servers().nsqdHttp, `/stats?format=json&topic=${topic}`);
    return (stats.topics ?? []).find((t) => t.topic_name === topic)?.message_count;
  };

  /** Consumes `count` messages of `topic` (finishing each) and returns their bodies. */
  const consume = (topic: string, count: number, timeoutMs = 10_000): Promise<string[]> =>
    firstValueFrom(
      consumeNsq({ topic, channel: 'c', nsqd: [servers().nsqdTcp], maxInFlight: 1000 }).pipe(
        tap((delivery) => delivery.finish()),
        map((delivery) => text(delivery.body)),
        take(count),
        toArray(),
        timeout(timeoutMs),
      ),
    );

  it('publishes 10,000 concurrent one-message calls as few MPUBs, and all of them arrive', async () => {
    const topic = 'pub.ten-thousand';
    await createChannel(topic);
    const bodies = Array.from({ length: 10_000 }, (_, i) => `message-${i}`);
    await Promise.all(bodies.map((body) => publisher.publish(topic, body)));
    const stats = publisher.stats();
    expect(stats.acknowledged).toBe(10_000);
    expect(stats.outstanding).toBe(0);
    expect(stats.commands).toBeLessThanOrEqual(10);
    expect(stats.batches).toBe(stats.commands);
    expect(await topicMessageCount(topic)).toBe(10_000);
    const received = await consume(topic, 10_000);
    expect(new Set(received).size).toBe(10_000);
    expect([...received].sort()).toEqual([...bodies].sort());
  }, 30_000);

  it('splits a batch larger than maxBodyBytes into several MPUBs, each within the limit', async () => {
    const topic = 'pub.split';
    const small = createNsqPublisher({ nsqd: servers().nsqdTcp, maxBodyBytes: 1_000 });
    try {
      await createChannel(topic);
      // 30 × (4 + 96) = 3000 bytes of messages: 4 MPUBs of at most 9 messages (4 + 9 × 100 = 904)
      const bodies = Array.from({ length: 30 }, (_, i) => `${i}`.padEnd(96, '.'));
      await Promise.all(bodies.map((body) => small.publish(topic, body)));
      expect(small.stats()).toEqual(jasmine.objectContaining({ commands: 4, batches: 4, acknowledged: 30 }));
      expect((await consume(topic, 30)).sort()).toEqual([...bodies].sort());
    } finally {
      await small.close();
    }
  }, 15_000);

  it('writes large bodies as pieces of their own and still splits by maxBodyBytes: every body arrives intact', async () => {
    const topic = 'pub.large';
    const limited = createNsqPublisher({ nsqd: servers().nsqdTcp, maxBodyBytes: 100_000 });
    try {
      await createChannel(topic);
      const pattern = (length: number, seed: number): Uint8Array =>
        Uint8Array.from({ length }, (_, i) => (i * 13 + seed * 101 + (i >> 8)) & 0xff);
      // 40 KB bodies (over INLINE_BODY_BYTES: written uncopied) between small ones, all in one tick
      const bodies = Array.from({ length: 12 }, (_, i) =>
        i % 2 === 0 ? pattern(40_000, i) : pattern(100 + i, i),
      );
      await Promise.all(bodies.map((body) => limited.publish(topic, body)));
      // 6 bodies of 40 KB (+ 4 bytes each): at most 2 fit in one 100 KB MPUB
      expect(limited.stats().commands).toBeGreaterThanOrEqual(3);
      expect(limited.stats().acknowledged).toBe(bodies.length);
      const received = await firstValueFrom(
        consumeNsq({ topic, channel: 'c', nsqd: [servers().nsqdTcp], maxInFlight: 100 }).pipe(
          tap((delivery) => delivery.finish()),
          map((delivery) => Buffer.from(delivery.body).toString('hex')),
          take(bodies.length),
          toArray(),
          timeout(10_000),
        ),
      );
      expect(received.sort()).toEqual(bodies.map((body) => Buffer.from(body).toString('hex')).sort());
    } finally {
      await limited.close();
    }
  }, 15_000);

  it('sends a body handed over as that memory (a write before it goes out shows), and copies one that was not', async () => {
    const topic = 'pub.hand-over';
    await createChannel(topic);
    const kept = Buffer.from('kept-00');
    const handed = new Uint8Array(Buffer.from('handed-00'));
    // both are written to in the same tick, before the publisher sends them on the next one
    const sent = Promise.all([
      publisher.publish(topic, kept),
      publisher.publish(topic, handed, { handOver: true }),
    ]);
    kept.write('kept-11');
    handed.set(Buffer.from('handed-11'));
    await sent;
    expect((await consume(topic, 2)).sort()).toEqual(['handed-11', 'kept-00']);
    // a large handed-over body (its own piece on the wire) arrives intact
    const large = Uint8Array.from({ length: 300_000 }, (_, i) => (i * 7 + (i >> 9)) & 0xff);
    const expected = Buffer.from(large).toString('hex');
    await publisher.publish(topic, large, { handOver: true });
    const received = await firstValueFrom(
      consumeNsq({ topic, channel: 'c', nsqd: [servers().nsqdTcp] }).pipe(
        tap((delivery) => delivery.finish()),
        map((delivery) => Buffer.from(delivery.body).toString('hex')),
        take(1),
        timeout(10_000),
      ),
    );
    expect(received).toBe(expected);
  });

  it('refuses a body over max-msg-size before sending it, while the large bodies of the same tick are sent', async () => {
    const topic = 'pub.large-refused';
    await createChannel(topic);
    const limit = publisher.limits().maxMessageBytes;
    const ok = [Buffer.alloc(40_000, 1), Buffer.alloc(40_000, 2)];
    const results = await Promise.allSettled([
      publisher.publish(topic, ok[0] as Buffer),
      publisher.publish(topic, Buffer.alloc(limit + 1, 3)),
      publisher.publish(topic, ok[1] as Buffer),
    ]);
    expect(results.map((r) => r.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((results[1] as PromiseRejectedResult).reason).toBeInstanceOf(PayloadTooLargeError);
    expect(await topicMessageCount(topic)).toBe(2);
  });

  it('keeps topics apart in one tick, and sends a lone message as PUB', async () => {
    await Promise.all([
      publisher.publish('pub.a', 'a1'),
      publisher.publish('pub.b', 'b1'),
      publisher.publish('pub.a', 'a2'),
    ]);
    expect(publisher.stats()).toEqual(jasmine.objectContaining({ commands: 2, batches: 1, acknowledged: 3 }));
    expect(await topicMessageCount('pub.a')).toBe(2);
    expect(await topicMessageCount('pub.b')).toBe(1);
  });

  it('refuses an invalid topic with InvalidNameError and stays connected', async () => {
    const topic = 'pub.after-invalid';
    await publisher.publish(topic, 'before');
    const statuses: string[] = [];
    const subscription = publisher.status$.subscribe((status) => statuses.push(status));
    const [bad, good] = await Promise.allSettled([
      publisher.publish('bad topic!', 'x'),
      publisher.publish(topic, 'after'),
    ]);
    subscription.unsubscribe();
    expect(bad.status === 'rejected' && bad.reason).toBeInstanceOf(InvalidNameError);
    expect(good.status).toBe('fulfilled');
    await publisher.publish(topic, 'later');
    expect(await topicMessageCount(topic)).toBe(3);
    expect(statuses).toEqual(['ready']);
    expect(publisher.stats().reconnects).toBe(0);
  });

  it('refuses a message over max-msg-size with PayloadTooLargeError and stays connected', async () => {
    const topic = 'pub.after-oversized';
    await publisher.publish(topic, 'before');
    const [big, good] = await Promise.allSettled([
      publisher.publish(topic, new Uint8Array(1024 * 1024 + 1)),
      publisher.publish(topic, 'after'),
    ]);
    expect(big.status === 'rejected' && big.reason).toBeInstanceOf(PayloadTooLargeError);
    expect(good.status).toBe('fulfilled');
    // exactly max-msg-size is accepted by nsqd
    await publisher.publish(topic, new Uint8Array(1024 * 1024).fill(65));
    expect(await topicMessageCount(topic)).toBe(3);
    expect(publisher.stats().reconnects).toBe(0);
  });

  it('close() waits for publishes in flight, then refuses new ones', async () => {
    const topic = 'pub.close';
    const pending = Array.from({ length: 100 }, (_, i) => publisher.publish(topic, `c${i}`));
    await publisher.close();
    // every publish made before close was acknowledged by the time close resolved
    expect(publisher.stats()).toEqual(jasmine.objectContaining({ acknowledged: 100, outstanding: 0 }));
    await expectAsync(Promise.all(pending)).toBeResolved();
    await expectAsync(publisher.publish(topic, 'late')).toBeRejectedWithError(TransportClosedError);
    expect(await topicMessageCount(topic)).toBe(100);
  });

  it('times a publish out with the refused dial (ECONNREFUSED) as its cause when nothing listens', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const unreachable = createNsqPublisher({
      nsqd: address,
      publishTimeoutMs: 300,
      reconnect: { initialMs: 20, maxMs: 50 },
    });
    try {
      const error = await unreachable.publish('pub.cause.refused', 'x').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishTimeoutError);
      expect((error as PublishTimeoutError).ambiguous).toBeFalse();
      const cause = (error as PublishTimeoutError).cause;
      expect(cause).toBeInstanceOf(Error);
      expect((cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      expect((error as Error).message).toContain(`: last connection error: connect ECONNREFUSED ${address}`);
    } finally {
      await unreachable.close();
    }
  });

  it('forgets the last connection error once a connection is ready: a later timeout names no stale cause', async () => {
    const topic = 'pub.cause.cleared';
    const port = await freePort();
    const relayed = createNsqPublisher({
      nsqd: `127.0.0.1:${port}`,
      publishTimeoutMs: 400,
      reconnect: { initialMs: 20, maxMs: 50 },
    });
    const statuses: NsqConnectionStatus[] = [];
    relayed.status$.subscribe((status) => statuses.push(status));
    let relay: Relay | undefined;
    try {
      const refused = await relayed.publish(topic, 'refused').catch((e: unknown) => e);
      expect(((refused as PublishTimeoutError).cause as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
      relay = await startRelay(port, servers().nsqdTcp);
      await waitFor('a connection through the relay', () => statuses.includes('ready'));
      await relayed.publish(topic, 'relayed');
      // the PUB goes nowhere: the timeout is the connection's, not the old refused dial's
      relay.stall();
      const error = await relayed.publish(topic, 'stalled').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(PublishTimeoutError);
      expect((error as PublishTimeoutError).ambiguous).toBeTrue();
      expect((error as PublishTimeoutError).cause).toBeUndefined();
      expect((error as Error).message).not.toContain('last connection error');
      expect(await topicMessageCount(topic)).toBe(1);
    } finally {
      await relayed.close();
      await relay?.close();
    }
  }, 15_000);
});
