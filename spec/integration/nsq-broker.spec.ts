/**
 * nsqBroker against a real nsqd + nsqlookupd: publish and consume through the
 * Broker interface, and topic discovery through lookupd and through nsqd /stats.
 */
import { BehaviorSubject, firstValueFrom, take, toArray } from 'rxjs';
import type { Broker } from '../../src/broker/types';
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import { describeNsq, nsqChannelStats, nsqPost } from '../helpers/nsq';
import { sleep, waitFor } from '../helpers/wait';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (body: Uint8Array): string => new TextDecoder().decode(body);

describeNsq('nsqBroker', (servers) => {
  let broker: Broker;
  afterEach(async () => {
    await broker?.close();
  });

  it('publishes and consumes through the Broker interface', async () => {
    broker = nsqBroker({ nsqd: servers().nsqdTcp, reconnect: { initialMs: 50 } });
    // the channel exists before the first publish, so it gets every message
    await nsqPost(servers().nsqdHttp, '/topic/create?topic=broker.basic');
    await nsqPost(servers().nsqdHttp, '/channel/create?topic=broker.basic&channel=c');
    const received = firstValueFrom(
      broker.consume({ topic: 'broker.basic', channel: 'c', maxInFlight: 10 }).pipe(take(3), toArray()),
    );
    for (const body of ['a', 'b', 'c']) await firstValueFrom(broker.publish('broker.basic', bytes(body)));
    const deliveries = await received;
    deliveries.forEach((d) => d.finish());
    expect(deliveries.map((d) => text(d.body)).sort()).toEqual(['a', 'b', 'c']);
    expect(deliveries.every((d) => d.attempts === 1 && d.topic === 'broker.basic')).toBeTrue();
  }, 15_000);

  it('pauses a consumer while its paused$ says true: RDY 0 at nsqd, messages wait in the channel', async () => {
    broker = nsqBroker({ nsqd: servers().nsqdTcp, reconnect: { initialMs: 50 } });
    const topic = 'broker.paused';
    await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
    await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
    const readyCounts = async (): Promise<number[]> =>
      ((await nsqChannelStats(servers().nsqdHttp, topic, 'c'))?.clients ?? []).map((c) => c.ready_count);
    const paused$ = new BehaviorSubject(false);
    const received: string[] = [];
    const subscription = broker.consume({ topic, channel: 'c', maxInFlight: 4, paused$ }).subscribe((d) => {
      received.push(text(d.body));
      d.finish();
    });
    try {
      await waitFor('RDY 4', async () => (await readyCounts()).join() === '4');
      paused$.next(true);
      await waitFor('RDY 0', async () => (await readyCounts()).join() === '0');
      await firstValueFrom(broker.publish(topic, bytes('held')));
      await sleep(300);
      expect(received).toEqual([]);
      expect((await nsqChannelStats(servers().nsqdHttp, topic, 'c'))?.depth).toBe(1);
      paused$.next(false);
      await waitFor('the delivery', () => received.length === 1);
      expect(received).toEqual(['held']);
    } finally {
      subscription.unsubscribe();
    }
  }, 15_000);

  it('treats a deferred publish with delay 0 as a plain publish', async () => {
    broker = nsqBroker({ nsqd: servers().nsqdTcp });
    await nsqPost(servers().nsqdHttp, '/topic/create?topic=broker.defer0');
    await nsqPost(servers().nsqdHttp, '/channel/create?topic=broker.defer0&channel=c');
    await firstValueFrom(broker.publishDeferred('broker.defer0', bytes('now'), 0));
    const [delivery] = await firstValueFrom(
      broker.consume({ topic: 'broker.defer0', channel: 'c' }).pipe(take(1), toArray()),
    );
    delivery?.finish();
    expect(delivery && text(delivery.body)).toBe('now');
  }, 15_000);

  it('lists topics through nsqlookupd', async () => {
    if (servers().lookupdHttp === undefined) return pending('no nsqlookupd address for this nsqd');
    broker = nsqBroker({ nsqd: servers().nsqdTcp, lookupd: [servers().lookupdHttp as string] });
    await nsqPost(servers().nsqdHttp, '/topic/create?topic=broker.listed.lookupd');
    const topics = await firstValueFrom(broker.listTopics());
    expect(topics).toContain('broker.listed.lookupd');
  }, 15_000);

  it('lists topics through nsqd /stats when no lookupd is configured', async () => {
    broker = nsqBroker({ nsqd: servers().nsqdTcp, nsqdHttp: [servers().nsqdHttp] });
    await nsqPost(servers().nsqdHttp, '/topic/create?topic=broker.listed.stats');
    const topics = await firstValueFrom(broker.listTopics());
    expect(topics).toContain('broker.listed.stats');
  }, 15_000);

  it('takes the union of several lookupd and skips one that does not answer', async () => {
    if (servers().lookupdHttp === undefined) return pending('no nsqlookupd address for this nsqd');
    broker = nsqBroker({
      nsqd: servers().nsqdTcp,
      lookupd: ['127.0.0.1:1', servers().lookupdHttp as string],
      httpTimeoutMs: 500,
    });
    await nsqPost(servers().nsqdHttp, '/topic/create?topic=broker.listed.union');
    expect(await firstValueFrom(broker.listTopics())).toContain('broker.listed.union');
  }, 15_000);

  it('fails the listing when no source answers', async () => {
    broker = nsqBroker({ nsqd: servers().nsqdTcp, lookupd: ['127.0.0.1:1'], httpTimeoutMs: 300 });
    await expectAsync(firstValueFrom(broker.listTopics())).toBeRejectedWithError(/cannot list topics/);
  }, 15_000);
});
