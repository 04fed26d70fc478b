/**
 * Discovery through nsqlookupd against real servers: a consumer configured
 * with lookupd only finds an nsqd that starts carrying its topic after it
 * subscribed, takes every message once from several nsqd behind one lookupd,
 * and keeps consuming from the others when one of them stops.
 */
import type { Subscription } from 'rxjs';
import { newMessage } from '../../src/codec/message.js';
import { MessageType } from '../../src/constant/index.js';
import { memoryLogger, type MemoryLogger } from '../../src/logger/memoryLogger.js';
import { consumeNsq } from '../../src/broker/nsq/consumer.js';
import { nsqTransport } from '../../src/transport/nsqTransport.js';
import { createNsqPublisher, type NsqPublisher } from '../../src/broker/nsq/publisher.js';
import type { Transport } from '../../src/transport/types.js';
import { describeNsq, nsqChannelStats, nsqPost, startExtraNsqd, type ExtraNsqd } from '../helpers/nsq.js';
import { waitFor } from '../helpers/wait.js';
import { publishStream } from '../helpers/publishStream.js';

/** The consumers' lookupd poll interval; discovery must happen within a few of them. */
const POLL_SEC = 1;
const DISCOVERY_MS = 5 * POLL_SEC * 1000;
/**
 * Time to take messages once connected. Generous: with fewer maxInFlight than
 * connections nsqjs hands RDY 1 round the connections, waiting 50 ms on each idle one.
 */
const DELIVERY_MS = 10_000;

let counter = 0;
/** A topic no other spec uses (nsqd and nsqlookupd keep topics for the whole block). */
const uniqueTopic = (stem: string): string => `lookupd.${stem}.${Date.now().toString(36)}${counter++}`;

const text = (body: Uint8Array): string => Buffer.from(body).toString('utf8');

const numbered = (prefix: string, count: number): string[] =>
  Array.from({ length: count }, (_, i) => `${prefix}-${i}`);

/** Bodies seen more than once. */
const duplicatesIn = (bodies: readonly string[]): string[] =>
  bodies.filter((body, i) => bodies.indexOf(body) !== i);

const sorted = <T>(items: readonly T[]): T[] => [...items].sort();

describeNsq('nsq lookupd discovery', (servers) => {
  const extras: ExtraNsqd[] = [];
  const publishers: NsqPublisher[] = [];
  const transports: Transport[] = [];
  const subscriptions: Subscription[] = [];

  beforeEach(function (this: void) {
    if (servers().external || servers().lookupdTcp === undefined) {
      pending('external nsqd: cannot start more nsqd registered with its nsqlookupd');
    }
  });

  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    await Promise.all(transports.splice(0).map((t) => t.close()));
    await Promise.all(publishers.splice(0).map((p) => p.close()));
    await Promise.all(extras.splice(0).map((e) => e.close()));
  }, 20_000);

  const lookupdHttp = (): string => servers().lookupdHttp as string;

  const startNsqd = async (): Promise<ExtraNsqd> => {
    const extra = await startExtraNsqd(servers().lookupdTcp as string);
    extras.push(extra);
    return extra;
  };

  const publisherFor = (nsqdTcp: string): NsqPublisher => {
    const publisher = createNsqPublisher({ nsqd: nsqdTcp });
    publishers.push(publisher);
    return publisher;
  };

  /** TCP addresses of the nsqd that nsqlookupd lists for `topic` (none: lookupd answers 404). */
  const producersOf = async (topic: string): Promise<string[]> => {
    const res = await fetch(`http://${lookupdHttp()}/lookup?topic=${topic}`);
    if (res.status === 404) return [];
    if (!res.ok) throw new Error(`GET /lookup: HTTP ${res.status} ${await res.text()}`);
    const body = (await res.json()) as {
      producers: readonly { broadcast_address: string; tcp_port: number }[];
    };
    return sorted(body.producers.map((p) => `${p.broadcast_address}:${p.tcp_port}`));
  };

  /** Consumer clients of `topic`/`channel` on one nsqd. */
  const clientsOn = async (nsqdHttp: string, topic: string, channel = 'c'): Promise<number> =>
    (await nsqChannelStats(nsqdHttp, topic, channel))?.client_count ?? 0;

  /** A consumer configured with lookupd only; finishes and records every body. */
  const consumeThroughLookupd = (topic: string, maxInFlight: number) => {
    const bodies: string[] = [];
    const logger = memoryLogger();
    let ended: string | undefined;
    subscriptions.push(
      consumeNsq({
        topic,
        channel: 'c',
        lookupd: [lookupdHttp()],
        lookupdPollIntervalSec: POLL_SEC,
        maxInFlight,
        logger,
      }).subscribe({
        next: (delivery) => {
          bodies.push(text(delivery.body));
          delivery.finish();
        },
        error: (error: unknown) => (ended = `error: ${String(error)}`),
        complete: () => (ended = 'complete'),
      }),
    );
    return { bodies, logger, ended: () => ended };
  };

  const connectedTo = (logger: MemoryLogger): unknown[] =>
    logger.records.filter((r) => r.message === 'nsq consumer: connected').map((r) => r.fields['nsqd']);

  describe('consumeNsq with lookupd only', () => {
    it('finds an nsqd that starts carrying the topic after it subscribed, within a few polls', async () => {
      const topic = uniqueTopic('late');
      expect(await producersOf(topic)).toEqual([]);
      const consumer = consumeThroughLookupd(topic, 10);
      const late = await startNsqd();
      const sent = numbered('late', 20);
      const publisher = publisherFor(late.nsqdTcp);
      await Promise.all(sent.map((body) => publisher.publish(topic, body)));
      await waitFor('lookupd to list the new nsqd', async () => (await producersOf(topic)).length > 0);
      expect(await producersOf(topic)).toEqual([late.nsqdTcp]);

      await waitFor(
        `the consumer on the nsqd found through lookupd\n${late.logs()}`,
        async () => (await clientsOn(late.nsqdHttp, topic)) === 1,
        DISCOVERY_MS,
      );
      await waitFor('the 20 messages', () => consumer.bodies.length >= sent.length, DELIVERY_MS);
      expect(sorted(consumer.bodies)).toEqual(sorted(sent));
      expect(connectedTo(consumer.logger)).toEqual([late.nsqdTcp]);
      expect(consumer.ended()).toBeUndefined();
    }, 20_000);

    for (const maxInFlight of [10, 1]) {
      it(`takes every message exactly once from two nsqd behind one lookupd (maxInFlight ${maxInFlight})`, async () => {
        const topic = uniqueTopic(`two.${maxInFlight}`);
        const first = servers();
        const second = await startNsqd();
        for (const nsqdHttp of [first.nsqdHttp, second.nsqdHttp]) {
          await nsqPost(nsqdHttp, `/topic/create?topic=${topic}`);
        }
        await waitFor('lookupd to list both nsqd', async () => (await producersOf(topic)).length === 2);
        const consumer = consumeThroughLookupd(topic, maxInFlight);
        await waitFor(
          'the consumer on both nsqd',
          async () =>
            (await clientsOn(first.nsqdHttp, topic)) === 1 && (await clientsOn(second.nsqdHttp, topic)) === 1,
          DISCOVERY_MS,
        );

        const fromFirst = numbered('first', 100);
        const fromSecond = numbered('second', 100);
        const publishFirst = publisherFor(first.nsqdTcp);
        const publishSecond = publisherFor(second.nsqdTcp);
        await Promise.all(
          fromFirst.flatMap((body, i) => [
            publishFirst.publish(topic, body),
            publishSecond.publish(topic, fromSecond[i] as string),
          ]),
        );

        const expected = sorted([...fromFirst, ...fromSecond]);
        await waitFor(
          `all ${expected.length} messages`,
          () => consumer.bodies.length >= expected.length,
          DELIVERY_MS,
        );
        expect(duplicatesIn(consumer.bodies)).toEqual([]);
        expect(sorted(consumer.bodies)).toEqual(expected);
        // each nsqd sent each of its messages once: nothing requeued, timed out or left over
        for (const nsqdHttp of [first.nsqdHttp, second.nsqdHttp]) {
          await waitFor(
            `the FINs on ${nsqdHttp}`,
            async () => (await nsqChannelStats(nsqdHttp, topic, 'c'))?.in_flight_count === 0,
          );
          const stats = await nsqChannelStats(nsqdHttp, topic, 'c');
          expect(stats)
            .withContext(nsqdHttp)
            .toEqual(
              jasmine.objectContaining({
                message_count: 100,
                depth: 0,
                requeue_count: 0,
                timeout_count: 0,
                client_count: 1,
              }),
            );
        }
        expect(sorted(connectedTo(consumer.logger))).toEqual(sorted([first.nsqdTcp, second.nsqdTcp]));
        expect(consumer.ended()).toBeUndefined();
      }, 20_000);
    }

    it('keeps consuming from one nsqd when the other stops (SIGTERM) mid-stream', async () => {
      const topic = uniqueTopic('stop');
      const staying = servers();
      const leaving = await startNsqd();
      for (const nsqdHttp of [staying.nsqdHttp, leaving.nsqdHttp]) {
        await nsqPost(nsqdHttp, `/topic/create?topic=${topic}`);
      }
      await waitFor('lookupd to list both nsqd', async () => (await producersOf(topic)).length === 2);
      const consumer = consumeThroughLookupd(topic, 10);
      await waitFor(
        'the consumer on both nsqd',
        async () =>
          (await clientsOn(staying.nsqdHttp, topic)) === 1 &&
          (await clientsOn(leaving.nsqdHttp, topic)) === 1,
        DISCOVERY_MS,
      );
      const fromStaying = publishStream(publisherFor(staying.nsqdTcp), topic, 'staying');
      const fromLeaving = publishStream(publisherFor(leaving.nsqdTcp), topic, 'leaving');
      const received = (prefix: string): string[] =>
        consumer.bodies.filter((b) => b.startsWith(`${prefix}-`));
      await waitFor(
        'messages from both nsqd',
        () => received('staying').length >= 20 && received('leaving').length >= 20,
      );

      await fromLeaving.stop();
      await leaving.stop();
      const atStop = received('staying').length;
      await waitFor('lookupd to drop the stopped nsqd', async () => (await producersOf(topic)).length === 1);
      expect(await producersOf(topic)).toEqual([staying.nsqdTcp]);
      await waitFor(
        '100 more messages from the nsqd still up',
        () => received('staying').length >= atStop + 100,
        DELIVERY_MS,
      );
      await fromStaying.stop();
      await waitFor(
        'every acknowledged publish to the nsqd still up',
        () => received('staying').length >= fromStaying.acknowledged.size,
      );

      expect(fromStaying.failures).toEqual([]);
      expect(fromLeaving.failures).toEqual([]);
      expect(duplicatesIn(consumer.bodies)).toEqual([]);
      expect(sorted(received('staying'))).toEqual(sorted([...fromStaying.acknowledged]));
      expect(received('leaving').filter((b) => !fromLeaving.acknowledged.has(b))).toEqual([]);
      // a lookupd poll just before the stopped nsqd left lookupd may re-dial it once more: no exact count
      const closed = consumer.logger.records
        .filter((r) => r.message === 'nsq consumer: connection closed')
        .map((r) => r.fields['nsqd']);
      expect(closed).toContain(leaving.nsqdTcp);
      expect(closed.filter((nsqd) => nsqd !== leaving.nsqdTcp)).toEqual([]);
      expect(consumer.ended()).toBeUndefined();
    }, 20_000);
  });

  it('nsqTransport with lookupd: a subscription finds an nsqd started after it', async () => {
    const topic = uniqueTopic('transport');
    const bus = nsqTransport({
      nsqd: [servers().nsqdTcp],
      lookupd: [lookupdHttp()],
      lookupdPollIntervalSec: POLL_SEC,
      service: 'discovery',
    });
    transports.push(bus);
    const received: unknown[] = [];
    subscriptions.push(
      bus.subscribeTopic(topic).subscribe((delivery) => {
        received.push(delivery.message.body?.['n']);
        delivery.finish();
      }),
    );
    // the subscription's direct nsqd gets the topic only when it subscribes
    await waitFor(
      'the subscription on the first nsqd',
      async () => (await clientsOn(servers().nsqdHttp, topic, 'discovery')) === 1,
    );

    const late = await startNsqd();
    const sender = nsqTransport({ nsqd: [late.nsqdTcp], service: 'sender' });
    transports.push(sender);
    const sent = Array.from({ length: 20 }, (_, n) => n);
    await Promise.all(
      sent.map((n) => sender.publish(topic, { ...newMessage(MessageType.EVENT), body: { n } })),
    );

    await waitFor(
      `the subscription on the nsqd found through lookupd\n${late.logs()}`,
      async () => (await clientsOn(late.nsqdHttp, topic, 'discovery')) === 1,
      DISCOVERY_MS,
    );
    await waitFor('the 20 messages', () => received.length >= sent.length, DELIVERY_MS);
    expect(sorted(received as number[])).toEqual(sorted(sent));
  }, 20_000);
});
