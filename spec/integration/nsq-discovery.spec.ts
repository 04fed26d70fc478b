/**
 * Issue 8, defects 2 and 4, against a real nsqd: prefix discovery whose nsqd
 * HTTP address is wrong fails visibly (events on `discovery$`, then a
 * `DiscoveryError` on the stream), and a valid 60-character topic subscribes
 * and dead-letters to its derived dead-letter topic.
 */
import { firstValueFrom, take, toArray, type Subscription } from 'rxjs';
import { newMessage } from '../../src/codec/message.js';
import { HeaderKey, MessageType } from '../../src/constant/index.js';
import { defaultDeadLetterTopic } from '../../src/delivery/deadLetter.js';
import { DiscoveryError, TopicListingError } from '../../src/errors.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { nsqTransport } from '../../src/transport/nsqTransport.js';
import type { Delivery } from '../../src/delivery/types.js';
import type { DiscoveryEvent, Transport } from '../../src/transport/types.js';
import { describeNsq, freePort } from '../helpers/nsq.js';

let counter = 0;
/** A stem no other spec uses (nsqd keeps topics for the whole block). */
const unique = (): string => `${Date.now().toString(36)}${counter++}`;

describeNsq('nsq prefix discovery and long topics', (servers) => {
  const transports: Transport[] = [];
  const subscriptions: Subscription[] = [];

  afterEach(async () => {
    for (const subscription of subscriptions.splice(0)) subscription.unsubscribe();
    await Promise.all(transports.splice(0).map((t) => t.close()));
  }, 20_000);

  const transport = (options: Omit<Parameters<typeof nsqTransport>[0], 'nsqd'> = {}): Transport => {
    const bus = nsqTransport({ nsqd: [servers().nsqdTcp], drainTimeoutMs: 1_000, ...options });
    transports.push(bus);
    return bus;
  };

  it('errors a prefix subscription with a DiscoveryError after maxListFailures listings of a closed HTTP port, each one an event', async () => {
    // a port nobody listens on: what the TCP port + 1 guess gives when nsqd's HTTP port is elsewhere
    const closed = `127.0.0.1:${await freePort()}`;
    const bus = transport({ nsqdHttp: [closed], pollIntervalMs: 100, maxListFailures: 3 });
    const events = firstValueFrom(bus.discovery$.pipe(take(3), toArray()));
    const failure = new Promise<unknown>((resolve, reject) => {
      subscriptions.push(
        bus.subscribePrefix(`disc.${unique()}.`).subscribe({
          next: () => reject(new Error('delivered a message')),
          error: resolve,
          complete: () => reject(new Error('completed')),
        }),
      );
    });

    const error = await failure;
    expect(error).toBeInstanceOf(DiscoveryError);
    const discovery = error as DiscoveryError;
    expect(discovery.failures).toBe(3);
    expect(discovery.sources).toEqual([`http://${closed}/stats?format=json&include_clients=false`]);
    expect(discovery.cause).toBeInstanceOf(TopicListingError);
    expect(discovery.message).toContain(closed);

    const seen: readonly DiscoveryEvent[] = await events;
    expect(seen.map((e) => [e.type, e.failures])).toEqual([
      ['listing-failed', 1],
      ['listing-failed', 2],
      ['listing-failed', 3],
    ]);
    for (const event of seen) {
      expect(event.type === 'listing-failed' && event.error).toBeInstanceOf(TopicListingError);
    }
  }, 15_000);

  it('subscribes a valid 60-character topic, and a failing message lands on its derived dead-letter topic', async () => {
    const topic = `long.${unique()}.`.padEnd(60, 'x');
    expect(topic.length).toBe(60);
    const deadTopic = defaultDeadLetterTopic(topic);
    expect(deadTopic.length).toBe(64);
    const bus = transport({ retry: { '*': { maxAttempts: 1 } } });

    const ready = (subscribe: (onReady: () => void) => Subscription): Promise<void> =>
      new Promise<void>((onReady) => subscriptions.push(subscribe(onReady)));
    const failed: unknown[] = [];
    await ready((onReady) =>
      bus
        .subscribeTopic(topic, { onReady })
        .pipe(
          handleDeliveries(() => {
            throw new Error('cannot process');
          }),
        )
        .subscribe({ error: (e: unknown) => failed.push(e) }),
    );
    let letter: (value: Delivery) => void = () => undefined;
    const dead = new Promise<Delivery>((resolve) => (letter = resolve));
    await ready((onReady) =>
      bus.subscribeTopic(deadTopic, { onReady }).subscribe({
        next: (d) => {
          d.finish();
          letter(d);
        },
        error: (e: unknown) => failed.push(e),
      }),
    );

    await bus.publish(topic, { ...newMessage(MessageType.EVENT), body: { n: 1 } });
    const deadLetter = await dead;
    expect(failed).toEqual([]);
    expect(deadLetter.message.body).toEqual({ n: 1 });
    expect(deadLetter.message.header?.[HeaderKey.ORIGINAL_TOPIC]).toBe(topic);
    expect(deadLetter.message.header?.[HeaderKey.ERROR]).toBe('cannot process');
  }, 15_000);
});
