/**
 * Timing on a real nsqd: deferred publishes, requeue with a delay, and
 * auto-touch against a short message timeout.
 *
 * nsqd moves deferred and timed-out messages with a scanner that picks up new
 * channels only when it refreshes its channel list, every 5 s. The channels are
 * therefore created once, before the specs, followed by one 5.2 s wait.
 */
import type { Subscription } from 'rxjs';
import { consumeNsq, type NsqConsumerOptions } from '../../src/broker/nsq/consumer.js';
import type { NsqDelivery } from '../../src/broker/nsq/delivery.js';
import { createNsqPublisher, type NsqPublisher } from '../../src/broker/nsq/publisher.js';
import { describeNsq, nsqChannelStats, nsqPost, type NsqChannelStats } from '../helpers/nsq.js';
import { sleep, waitFor } from '../helpers/wait';

const TOPICS = ['deferred.pub', 'deferred.requeue', 'deferred.touch', 'deferred.notouch'] as const;

const text = (body: Uint8Array): string => Buffer.from(body).toString('utf8');

describeNsq('nsq deferred delivery and touch', (servers) => {
  let publisher: NsqPublisher;
  let subscription: Subscription | undefined;

  beforeAll(async () => {
    for (const topic of TOPICS) {
      await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
      await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
    }
    await sleep(5_200);
  }, 15_000);

  beforeEach(() => {
    publisher = createNsqPublisher({ nsqd: servers().nsqdTcp });
  });

  afterEach(async () => {
    subscription?.unsubscribe();
    subscription = undefined;
    await publisher.close();
  });

  const channelStats = (topic: string): Promise<NsqChannelStats | undefined> =>
    nsqChannelStats(servers().nsqdHttp, topic, 'c');

  /** Subscribes and records every delivery with its arrival time. */
  const record = (
    topic: string,
    options: Partial<NsqConsumerOptions> = {},
    onDelivery: (delivery: NsqDelivery) => void = () => undefined,
  ): { delivery: NsqDelivery; at: number }[] => {
    const received: { delivery: NsqDelivery; at: number }[] = [];
    subscription = consumeNsq({
      topic,
      channel: 'c',
      nsqd: [servers().nsqdTcp],
      maxInFlight: 10,
      lowLatency: true,
      ...options,
    }).subscribe((delivery) => {
      received.push({ delivery, at: Date.now() });
      onDelivery(delivery);
    });
    return received;
  };

  it('delivers a deferred publish only after its delay', async () => {
    const received = record('deferred.pub', {}, (delivery) => delivery.finish());
    await publisher.publishDeferred('deferred.pub', 'later', 600);
    const sentAt = Date.now();
    await publisher.publish('deferred.pub', 'now');
    await waitFor('the deferred message', () => received.length === 2, 3_000);
    expect(received.map((r) => text(r.delivery.body))).toEqual(['now', 'later']);
    expect((received[1]?.at ?? 0) - sentAt).toBeGreaterThanOrEqual(550);
  });

  it('redelivers a message requeued with a delay, after the delay, with attempts 2', async () => {
    let requeuedAt = 0;
    const received = record('deferred.requeue', {}, (delivery) => {
      if (delivery.attempts === 1) {
        expect(delivery.requeue(500)).toBeTrue();
        requeuedAt = Date.now();
      } else delivery.finish();
    });
    await publisher.publish('deferred.requeue', 'again');
    await waitFor('the redelivery', () => received.length === 2, 3_000);
    const [first, second] = received;
    expect(first?.delivery.attempts).toBe(1);
    expect(second?.delivery.attempts).toBe(2);
    expect(second?.delivery.id).toBe(first?.delivery.id ?? '');
    expect(text(second?.delivery.body ?? new Uint8Array())).toBe('again');
    expect((second?.at ?? 0) - requeuedAt).toBeGreaterThanOrEqual(450);
    await waitFor('the FIN', async () => (await channelStats('deferred.requeue'))?.in_flight_count === 0);
    expect(await channelStats('deferred.requeue')).toEqual(
      jasmine.objectContaining({ depth: 0, deferred_count: 0, requeue_count: 1, timeout_count: 0 }),
    );
  });

  it('keeps an unacknowledged delivery alive past the message timeout by touching it', async () => {
    const received = record('deferred.touch', { msgTimeoutMs: 1_000 });
    await publisher.publish('deferred.touch', 'slow');
    await waitFor('the delivery', () => received.length === 1);
    await sleep(1_800);
    expect(received.length).toBe(1);
    expect((await channelStats('deferred.touch'))?.timeout_count).toBe(0);
    expect(received[0]?.delivery.finish()).toBeTrue();
    await waitFor('the FIN', async () => (await channelStats('deferred.touch'))?.in_flight_count === 0);
    expect((await channelStats('deferred.touch'))?.timeout_count).toBe(0);
  });

  it('control: without auto-touch the same delivery times out and comes back', async () => {
    const received = record('deferred.notouch', { msgTimeoutMs: 1_000, autoTouch: false });
    await publisher.publish('deferred.notouch', 'slow');
    await waitFor('the redelivery', () => received.length === 2, 3_000);
    expect(received.map((r) => r.delivery.attempts)).toEqual([1, 2]);
    expect((await channelStats('deferred.notouch'))?.timeout_count).toBe(1);
    received[1]?.delivery.finish();
    await waitFor('the FIN', async () => (await channelStats('deferred.notouch'))?.in_flight_count === 0);
  });
});
