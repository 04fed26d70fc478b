/**
 * The NSQ transport under volume and under a server restart: 10,000 messages
 * published one call each and all consumed; nsqd stopped cleanly and restarted
 * in the middle of a stream, after which every acknowledged publish arrives.
 */
import type { Subscription } from 'rxjs';
import { newMessage } from '../../src/codec/message';
import { MessageType } from '../../src/constant/index';
import { isRxMiniError } from '../../src/errors';
import { handleDeliveries } from '../../src/operators/handleDeliveries';
import { nsqTransport } from '../../src/transport/nsqTransport';
import type { Transport } from '../../src/transport/types';
import { describeNsq, nsqChannelStats, type NsqServers } from '../helpers/nsq';
import { sleep, waitFor } from '../helpers/wait';

const consumers = async (servers: NsqServers, topic: string, channel: string): Promise<number> =>
  (await nsqChannelStats(servers.nsqdHttp, topic, channel))?.client_count ?? 0;

const event = (i: number) => ({ ...newMessage(MessageType.EVENT), body: { i } });

describeNsq('nsq transport streams', (servers) => {
  let transports: Transport[] = [];
  let subscription: Subscription | undefined;

  const make = (service: string): Transport => {
    const transport = nsqTransport({
      nsqd: servers().nsqdTcp,
      nsqdHttp: [servers().nsqdHttp],
      service,
      reconnect: { initialMs: 50, maxMs: 250 },
      publishTimeoutMs: 10_000,
    });
    transports.push(transport);
    return transport;
  };

  /** Subscribes `service` to `topic`, recording each body.i, and waits until nsqd sees the consumer. */
  const consume = async (topic: string, received: Set<number>): Promise<void> => {
    const consumer = make('sink');
    subscription = consumer
      .subscribeTopic(topic, { maxInFlight: 500 })
      .pipe(
        handleDeliveries((d) => {
          received.add(d.message.body?.['i'] as number);
        }),
      )
      .subscribe();
    await waitFor('the consumer', async () => (await consumers(servers(), topic, 'sink')) > 0);
  };

  afterEach(async () => {
    subscription?.unsubscribe();
    await Promise.all(transports.map((t) => t.close()));
    transports = [];
  }, 30_000);

  it('consumes all of 10,000 messages published one call each', async () => {
    const topic = 'stream.tenthousand';
    const received = new Set<number>();
    await consume(topic, received);
    const publisher = make('source');
    await Promise.all(Array.from({ length: 10_000 }, (_, i) => publisher.publish(topic, event(i))));
    await waitFor('10,000 distinct messages', () => received.size === 10_000, 30_000, 50);
    expect(received.size).toBe(10_000);
  }, 60_000);

  it('loses no acknowledged publish when nsqd stops cleanly and restarts mid-stream', async () => {
    if (servers().external) return pending('external nsqd: the harness cannot restart it');
    const topic = 'stream.restart';
    const received = new Set<number>();
    await consume(topic, received);
    const publisher = make('source');
    const acknowledged: number[] = [];
    const failures: unknown[] = [];
    const publishRange = (from: number, to: number): Promise<void> =>
      Promise.all(
        Array.from({ length: to - from }, (_, k) =>
          publisher.publish(topic, event(from + k)).then(
            () => void acknowledged.push(from + k),
            (err: unknown) => void failures.push(err),
          ),
        ),
      ).then(() => undefined);

    await publishRange(0, 500);
    await servers().stop();
    // published while nsqd is down: they wait in the bounded queue for the reconnect
    const duringOutage = publishRange(500, 1_000);
    await sleep(300);
    await servers().restart();
    await duringOutage;
    await publishRange(1_000, 1_500);

    expect(failures.every((e) => isRxMiniError(e))).toBeTrue();
    expect(acknowledged.length).toBeGreaterThanOrEqual(1_000);
    await waitFor('every acknowledged publish', () => acknowledged.every((i) => received.has(i)), 30_000, 50);
    expect(acknowledged.filter((i) => !received.has(i))).toEqual([]);
  }, 60_000);
});
