/**
 * The NSQ consumer against a real nsqd: validation before any connection,
 * guarded acknowledgements, and a clean close on unsubscribe.
 */
import { BehaviorSubject, firstValueFrom, take, toArray, type Subscription } from 'rxjs';
import { ConfigError, InvalidNameError } from '../../src/errors.js';
import { memoryLogger } from '../../src/logger/memoryLogger.js';
import { consumeNsq } from '../../src/broker/nsq/consumer.js';
import type { NsqDelivery } from '../../src/broker/nsq/delivery.js';
import { createNsqPublisher, type NsqPublisher } from '../../src/broker/nsq/publisher.js';
import {
  describeNsq,
  nsqChannelStats,
  nsqGet,
  nsqPost,
  startExtraNsqd,
  type NsqChannelStats,
  type NsqStats,
} from '../helpers/nsq.js';
import { sleep, waitFor } from '../helpers/wait';

describeNsq('nsq consumer', (servers) => {
  let publisher: NsqPublisher;
  let subscription: Subscription | undefined;

  beforeEach(() => {
    publisher = createNsqPublisher({ nsqd: servers().nsqdTcp });
  });

  afterEach(async () => {
    subscription?.unsubscribe();
    subscription = undefined;
    await publisher.close();
  });

  const channelStats = (topic: string, channel = 'c'): Promise<NsqChannelStats | undefined> =>
    nsqChannelStats(servers().nsqdHttp, topic, channel);

  const createChannel = async (topic: string): Promise<void> => {
    await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
    await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
  };

  /** RDY of every consumer client of the channel, as nsqd sees it. */
  const readyCounts = async (topic: string, nsqdHttp = servers().nsqdHttp): Promise<number[]> =>
    ((await nsqChannelStats(nsqdHttp, topic, 'c'))?.clients ?? []).map((c) => c.ready_count);

  const receive = (topic: string, maxInFlight = 10): NsqDelivery[] => {
    const received: NsqDelivery[] = [];
    subscription = consumeNsq({ topic, channel: 'c', nsqd: [servers().nsqdTcp], maxInFlight }).subscribe(
      (delivery) => received.push(delivery),
    );
    return received;
  };

  it('errors with InvalidNameError for a bad topic or channel, before connecting', async () => {
    const nsqd = [servers().nsqdTcp];
    await expectAsync(
      firstValueFrom(consumeNsq({ topic: 'bad topic', channel: 'c', nsqd })),
    ).toBeRejectedWithError(InvalidNameError);
    const error = await firstValueFrom(consumeNsq({ topic: 'consumer.names', channel: 'c/d', nsqd })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(InvalidNameError);
    expect((error as InvalidNameError).kind).toBe('channel');
    await sleep(50);
    const stats = await nsqGet<NsqStats>(servers().nsqdHttp, '/stats?format=json');
    expect((stats.topics ?? []).map((t) => t.topic_name)).not.toContain('consumer.names');
  });

  it('errors with ConfigError for bad options', async () => {
    const nsqd = [servers().nsqdTcp];
    for (const options of [
      { topic: 't', channel: 'c' },
      { topic: 't', channel: 'c', nsqd, maxInFlight: 0 },
      { topic: 't', channel: 'c', nsqd: ['nohost'] },
      { topic: 't', channel: 'c', nsqd, msgTimeoutMs: 10 },
      { topic: 't', channel: 'c', lookupd: ['not a url'] },
    ]) {
      await expectAsync(firstValueFrom(consumeNsq(options)))
        .withContext(JSON.stringify(options))
        .toBeRejectedWithError(ConfigError);
    }
  });

  it('hands over body, names, attempts and timestamp', async () => {
    const before = Date.now();
    await publisher.publish('consumer.fields', 'hello');
    const [delivery] = await firstValueFrom(
      consumeNsq({ topic: 'consumer.fields', channel: 'c', nsqd: [servers().nsqdTcp] }).pipe(
        take(1),
        toArray(),
      ),
    );
    expect(delivery && Buffer.from(delivery.body).toString()).toBe('hello');
    expect(delivery?.topic).toBe('consumer.fields');
    expect(delivery?.channel).toBe('c');
    expect(delivery?.attempts).toBe(1);
    expect(delivery?.id).toMatch(/^[0-9a-f]{16}$/);
    expect(delivery?.timestamp).toBeGreaterThanOrEqual(before - 1000);
    expect(delivery?.timestamp).toBeLessThanOrEqual(Date.now());
    expect(delivery?.finish()).toBeTrue();
  });

  it('says a large body is its own memory (exclusiveBody), and a small one cut out of a socket read is not', async () => {
    const large = Buffer.alloc(200_000, 9);
    await publisher.publish('consumer.exclusive', 'tiny');
    await publisher.publish('consumer.exclusive', large);
    const deliveries = await firstValueFrom(
      consumeNsq({
        topic: 'consumer.exclusive',
        channel: 'c',
        nsqd: [servers().nsqdTcp],
        maxInFlight: 2,
      }).pipe(take(2), toArray()),
    );
    const byLength = new Map(deliveries.map((d) => [d.body.length, d]));
    expect(byLength.get(200_000)?.exclusiveBody).toBeTrue();
    expect(Buffer.from(byLength.get(200_000)?.body ?? []).equals(large)).toBeTrue();
    expect(byLength.get(4)?.exclusiveBody).toBeFalse();
    for (const d of deliveries) d.finish();
  });

  it('makes a second finish or requeue a no-op: nsqd sees one FIN and no error', async () => {
    const topic = 'consumer.double';
    await createChannel(topic);
    const logger = memoryLogger();
    const results: boolean[] = [];
    subscription = consumeNsq({ topic, channel: 'c', nsqd: [servers().nsqdTcp], logger }).subscribe(
      (delivery) => {
        results.push(delivery.finish(), delivery.finish(), delivery.requeue(), delivery.touch());
      },
    );
    await publisher.publish(topic, 'once');
    await waitFor(
      'the FIN',
      async () =>
        (await channelStats(topic))?.message_count === 1 &&
        (await channelStats(topic))?.in_flight_count === 0,
    );
    await sleep(200);
    expect(results).toEqual([true, false, false, false]);
    expect(await channelStats(topic)).toEqual(
      jasmine.objectContaining({ depth: 0, in_flight_count: 0, requeue_count: 0 }),
    );
    // nsqjs reports E_FIN_FAILED / E_REQ_FAILED as connection errors, which the consumer logs
    expect(logger.records.filter((r) => r.message.includes('error'))).toEqual([]);
  });

  it('closes the reader on unsubscribe: nsqd sees no client left', async () => {
    const topic = 'consumer.close';
    receive(topic);
    await waitFor('the client', async () => (await channelStats(topic))?.client_count === 1);
    subscription?.unsubscribe();
    await waitFor('no client', async () => (await channelStats(topic))?.client_count === 0, 2_000);
  });

  it('is cold: each subscription is its own client', async () => {
    const topic = 'consumer.cold';
    const source = consumeNsq({ topic, channel: 'c', nsqd: [servers().nsqdTcp] });
    const first = source.subscribe();
    const second = source.subscribe();
    try {
      await waitFor('two clients', async () => (await channelStats(topic))?.client_count === 2);
    } finally {
      first.unsubscribe();
      second.unsubscribe();
    }
    await waitFor('no client', async () => (await channelStats(topic))?.client_count === 0, 2_000);
  });

  it('on unsubscribe, requeues what is pending and sends the acks made just before', async () => {
    const topic = 'consumer.pending';
    await createChannel(topic);
    const received = receive(topic);
    await Promise.all(['a', 'b', 'c', 'd'].map((body) => publisher.publish(topic, body)));
    await waitFor('four deliveries', () => received.length === 4);
    expect(received[0]?.finish()).toBeTrue();
    subscription?.unsubscribe();
    expect(received[1]?.finish()).toBeTrue(); // still open within this tick
    await waitFor('no client', async () => (await channelStats(topic))?.client_count === 0, 2_000);
    expect(await channelStats(topic)).toEqual(
      jasmine.objectContaining({ in_flight_count: 0, depth: 2, requeue_count: 2, timeout_count: 0 }),
    );
    expect(received[2]?.state).toBe('requeued');
    expect(received[2]?.finish()).toBeFalse();
    expect(received[3]?.touch()).toBeFalse();
  });

  it('spreads maxInFlight: no more deliveries pending at once than allowed', async () => {
    const topic = 'consumer.inflight';
    await createChannel(topic);
    await Promise.all(Array.from({ length: 20 }, (_, i) => publisher.publish(topic, `m${i}`)));
    const received = receive(topic, 5);
    await waitFor('five deliveries', () => received.length === 5);
    await sleep(150);
    expect(received.length).toBe(5);
    for (const delivery of received) delivery.finish();
    await waitFor('ten deliveries', () => received.length === 10);
  });

  describe('paused$', () => {
    /** Consumes `topic`, finishing every delivery, paused while `paused$` says so. */
    const consumePaused = (
      topic: string,
      paused$: BehaviorSubject<boolean>,
      nsqd = servers().nsqdTcp,
    ): NsqDelivery[] => {
      const received: NsqDelivery[] = [];
      subscription = consumeNsq({
        topic,
        channel: 'c',
        nsqd: [nsqd],
        maxInFlight: 10,
        paused$,
        reconnect: { initialMs: 50 },
      }).subscribe((delivery) => {
        received.push(delivery);
        delivery.finish();
      });
      return received;
    };

    it('sends RDY 0 while paused: nsqd keeps the messages in the channel; unpausing delivers them', async () => {
      const topic = 'consumer.paused';
      await createChannel(topic);
      const paused$ = new BehaviorSubject(false);
      const received = consumePaused(topic, paused$);
      await waitFor('RDY 10', async () => (await readyCounts(topic)).join() === '10');
      paused$.next(true);
      await waitFor('RDY 0', async () => (await readyCounts(topic)).join() === '0');
      await Promise.all(['a', 'b', 'c'].map((body) => publisher.publish(topic, body)));
      await sleep(300);
      expect(received).toEqual([]);
      expect(await channelStats(topic)).toEqual(
        jasmine.objectContaining({ depth: 3, in_flight_count: 0, client_count: 1 }),
      );
      paused$.next(false);
      await waitFor('three deliveries', () => received.length === 3);
      expect(received.map((d) => Buffer.from(d.body).toString()).sort()).toEqual(['a', 'b', 'c']);
      expect(received.map((d) => d.attempts)).toEqual([1, 1, 1]);
      await waitFor('RDY 10 again', async () => (await readyCounts(topic)).join() === '10');
    });

    it('starts paused when paused$ says true at once: connected, but RDY 0', async () => {
      const topic = 'consumer.startpaused';
      await createChannel(topic);
      await publisher.publish(topic, 'waiting');
      const paused$ = new BehaviorSubject(true);
      const received = consumePaused(topic, paused$);
      await waitFor('the client', async () => (await channelStats(topic))?.client_count === 1);
      await sleep(300);
      expect(received).toEqual([]);
      expect(await readyCounts(topic)).toEqual([0]);
      paused$.next(false);
      await waitFor('the delivery', () => received.length === 1);
    });

    it('stays paused when its connection comes back after nsqd restarted', async () => {
      if (servers().external || servers().lookupdTcp === undefined) {
        return pending('external nsqd: cannot start one more nsqd to restart');
      }
      const extra = await startExtraNsqd(servers().lookupdTcp as string);
      try {
        const topic = 'consumer.repaused';
        await nsqPost(extra.nsqdHttp, `/topic/create?topic=${topic}`);
        await nsqPost(extra.nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
        const paused$ = new BehaviorSubject(true);
        const received = consumePaused(topic, paused$, extra.nsqdTcp);
        await waitFor('the client', async () => (await readyCounts(topic, extra.nsqdHttp)).length === 1);
        await extra.stop();
        await extra.restart();
        // nsqjs forgets a pause once it has no connection left, and would give the new one RDY 10
        await waitFor(
          'the client again',
          async () => (await readyCounts(topic, extra.nsqdHttp)).length === 1,
        );
        await sleep(300);
        expect(await readyCounts(topic, extra.nsqdHttp)).toEqual([0]);
        const extraPublisher = createNsqPublisher({ nsqd: extra.nsqdTcp });
        await extraPublisher.publish(topic, 'after');
        await extraPublisher.close();
        await sleep(300);
        expect(received).toEqual([]);
        paused$.next(false);
        await waitFor('the delivery', () => received.length === 1);
      } finally {
        subscription?.unsubscribe();
        subscription = undefined;
        await extra.close();
      }
    }, 20_000);
  });

  describe('onReady', () => {
    it('is called once nsqd has the SUB: a message published then reaches the new channel', async () => {
      const topic = 'consumer.ready';
      // the topic has another channel already: a channel gets no copy of what came before it existed
      await createChannel(topic);
      let calls = 0;
      const received: NsqDelivery[] = [];
      const ready = new Promise<void>((resolve) => {
        subscription = consumeNsq({
          topic,
          channel: 'late',
          nsqd: [servers().nsqdTcp],
          onReady: () => {
            calls += 1;
            resolve();
          },
        }).subscribe((delivery) => {
          received.push(delivery);
          delivery.finish();
        });
      });
      // the publisher is connected before the race below; another topic, so the consumer cannot get it
      await publisher.publish(`${topic}.warmup`, 'warm-up');
      await ready;
      await publisher.publish(topic, 'after');
      await waitFor('the delivery', () => received.length === 1);
      expect(Buffer.from(received[0]?.body ?? []).toString()).toBe('after');
      expect(calls).toBe(1);
    });

    it('with two nsqd, is called only once both have the SUB', async () => {
      if (servers().external || servers().lookupdTcp === undefined) {
        return pending('external nsqd: cannot start one more nsqd');
      }
      const extra = await startExtraNsqd(servers().lookupdTcp as string);
      try {
        const topic = 'consumer.ready2';
        await extra.stop();
        let ready = false;
        subscription = consumeNsq({
          topic,
          channel: 'c',
          nsqd: [servers().nsqdTcp, extra.nsqdTcp],
          reconnect: { initialMs: 50, maxMs: 200 },
          onReady: () => (ready = true),
        }).subscribe((delivery) => delivery.finish());
        await waitFor(
          'the client on the first nsqd',
          async () => (await channelStats(topic))?.client_count === 1,
        );
        await sleep(300);
        expect(ready).toBeFalse();
        await extra.restart();
        await waitFor('onReady', () => ready);
        expect((await nsqChannelStats(extra.nsqdHttp, topic, 'c'))?.client_count).toBe(1);
      } finally {
        subscription?.unsubscribe();
        subscription = undefined;
        await extra.close();
      }
    }, 20_000);
  });
});
