/**
 * One behavioural suite for every transport: run it with a factory for the
 * memory transport (spec/transport/memoryTransport.spec.ts) and for NSQ (the
 * integration specs). Real time, short timeouts; every spec uses its own topics.
 */
import { Subject, firstValueFrom, take, tap, toArray, type Observable, type Subscription } from 'rxjs';
import { decode, encode } from '../../src/codec/wire.js';
import { newMessage, newRequest, type Message } from '../../src/codec/message.js';
import { HeaderKey, MessageType } from '../../src/constant/index.js';
import {
  BadRequestError,
  InvalidNameError,
  PayloadTooLargeError,
  TimeoutError,
  TransportClosedError,
  ValidationError,
} from '../../src/errors.js';
import { createMetrics } from '../../src/metrics/createMetrics.js';
import type { Metrics } from '../../src/metrics/types.js';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { dedupe } from '../../src/operators/dedupe.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import type { Broker } from '../../src/broker/types.js';
import { DEFAULT_MAX_IN_FLIGHT } from '../../src/transport/consume.js';
import { ResponseError } from '../../src/transport/errors.js';
import { handlerMiddleware, operatorMiddleware } from '../../src/transport/middleware.js';
import type { Transport, TransportOptions } from '../../src/transport/types.js';
import type { Delivery } from '../../src/delivery/types.js';
import { sleep, waitFor } from '../helpers/wait.js';

/** What a factory gives the suite. */
export interface TransportFixture {
  /** The node under test (the client side). */
  readonly transport: Transport;
  /** Another node on the same bus, with the same options but its own node id. */
  readonly peer: () => Transport;
  /** The raw broker under `transport`, to put bytes on the wire that no transport would send. */
  readonly broker: Broker;
  /** Closes every transport the fixture made, then the bus. */
  readonly teardown: () => Promise<void>;
}

/** Makes a fresh bus; `options` apply to the transport and to every peer. */
export type TransportFactory = (options: TransportOptions) => Promise<TransportFixture>;

let counter = 0;
/** A topic name no other spec uses (a real nsqd keeps topics between specs). */
const uniqueTopic = (stem: string): string =>
  `${stem}.${Date.now().toString(36)}${(counter++).toString(36)}${Math.floor(Math.random() * 1e6).toString(36)}`;

const event = (body: Record<string, number | string>): Message => ({
  ...newMessage(MessageType.EVENT),
  body,
});

/** Collects what a stream emits, until `stop`. */
const collect = <T>(source: Observable<T>): { items: T[]; errors: unknown[]; subscription: Subscription } => {
  const items: T[] = [];
  const errors: unknown[] = [];
  const subscription = source.subscribe({
    next: (x) => items.push(x),
    error: (e: unknown) => errors.push(e),
  });
  return { items, errors, subscription };
};

/**
 * An `onReady` option and a promise that resolves once it was called: the
 * subscription is registered at the broker (on NSQ, its SUB went through), so
 * what is published from then on reaches it.
 */
const readiness = (): { readonly onReady: () => void; readonly ready: Promise<void> } => {
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  return { onReady, ready };
};

/** Echo service: answers every request on `action` with its body; resolves once it is registered. */
const serveEcho = async (service: Transport, action: string, delayMs = 0): Promise<Subscription> => {
  const { onReady, ready } = readiness();
  const served = service
    .subscribeTopic(action, { maxInFlight: 250, lowLatency: true, onReady })
    .pipe(
      handleDeliveries(async (d) => {
        if (delayMs > 0) await sleep(delayMs);
        await service.respond(d.message, d.message.body ?? {});
      }),
    )
    .subscribe();
  await ready;
  return served;
};

/**
 * Time for specs whose messages are requeued with a delay. nsqd looks at a new
 * channel's deferred queue only once its queue scanner has refreshed its channel
 * list (every 5 s, not configurable in v1.3.0), so on a fresh topic the first
 * delayed redelivery can take up to 5 s.
 */
const REQUEUE_SPEC_MS = 15_000;

/**
 * The behavioural suite of a transport.
 *
 * @param label - names the describe block (`'memory'`, `'nsq'`).
 * @param factory - makes a fresh bus for each spec.
 */
export const transportBehaviour = (
  label: string,
  factory: TransportFactory,
  { concurrentRequests = 200 }: { readonly concurrentRequests?: number } = {},
): void => {
  describe(`transport behaviour (${label})`, () => {
    let fixture: TransportFixture | undefined;
    let metrics: Metrics;

    const setUp = async (options: TransportOptions = {}): Promise<TransportFixture> => {
      metrics = createMetrics();
      fixture = await factory({ requestTimeoutMs: 200, metrics, drainTimeoutMs: 1_000, ...options });
      return fixture;
    };

    afterEach(async () => {
      await fixture?.teardown();
      fixture = undefined;
    });

    describe('publish and subscribeTopic', () => {
      it('delivers a published message as it was sent, then finish acknowledges it', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('pub');
        // stays subscribed: unsubscribing gives unacknowledged deliveries back to the broker
        const { onReady, ready } = readiness();
        const received = collect(transport.subscribeTopic(topic, { onReady }));
        await ready;
        const sent: Message = {
          type: 'custom-type',
          contextID: 'ctx-1',
          header: { a: 'b' },
          body: { n: 1, nested: { ok: true } },
          rawBody: new Uint8Array([0, 1, 2, 255]),
        };
        await transport.publish(topic, sent);
        await waitFor('the delivery', () => received.items.length === 1);
        const delivery = received.items[0] as Delivery;
        expect(delivery.message).toEqual(sent);
        expect(delivery.topic).toBe(topic);
        expect(delivery.channel).toBe(transport.service);
        expect(delivery.attempts).toBe(1);
        expect(delivery.finish()).toBeTrue();
        expect(delivery.finish()).toBeFalse();
        expect(delivery.requeue()).toBeFalse();
        expect(delivery.touch()).toBeFalse();
        expect(delivery.state).toBe('finished');
        received.subscription.unsubscribe();
        expect(metrics.export()['transport.published']).toBe(1);
      });

      it('fills in a partial message: type event and a fresh contextID; refuses a bare body with a ValidationError', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('partial');
        const { onReady, ready } = readiness();
        const received = collect(transport.subscribeTopic(topic, { onReady }));
        await ready;
        await transport.publish(topic, { body: { n: 1 } });
        await transport.publish(topic, { type: 'custom', header: { a: 'b' } });
        await transport.publishDeferred(topic, { contextID: 'ctx-3' }, 0);
        await transport.broadcast(topic, { body: { n: 4 } });
        await waitFor('four deliveries', () => received.items.length === 4);
        received.items.forEach((d) => d.finish());
        received.subscription.unsubscribe();
        const uuid = jasmine.stringMatching(
          /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
        );
        const messages = received.items.map((d) => d.message);
        expect(messages).toEqual(
          jasmine.arrayWithExactContents([
            { type: 'custom', contextID: uuid, header: { a: 'b' } },
            { type: 'event', contextID: uuid, body: { n: 1 } },
            { type: 'event', contextID: uuid, body: { n: 4 } },
            { type: 'event', contextID: 'ctx-3' },
          ]),
        );
        const ids = new Set(messages.map((m) => m.contextID));
        expect(ids.size).toBe(4);
        await expectAsync(transport.publish(topic, { id: 7 } as unknown as Message)).toBeRejectedWithError(
          ValidationError,
          /id: not a message field/,
        );
      });

      it('rejects bad input with typed errors, before anything is sent', async () => {
        const { transport } = await setUp();
        await expectAsync(transport.publish('bad topic', event({}))).toBeRejectedWithError(InvalidNameError);
        await expectAsync(transport.publish(uniqueTopic('t'), { type: '' } as Message)).toBeRejectedWithError(
          ValidationError,
        );
        const huge = { ...event({}), rawBody: new Uint8Array(20 * 1024 * 1024) };
        await expectAsync(transport.publish(uniqueTopic('t'), huge)).toBeRejectedWithError(
          PayloadTooLargeError,
        );
        await expectAsync(transport.respond(newMessage(MessageType.REQUEST), 1)).toBeRejectedWithError(
          BadRequestError,
        );
        const failed = collect(transport.subscribeTopic('no/slashes'));
        expect(failed.errors[0]).toBeInstanceOf(InvalidNameError);
      });

      it('calls onReady once the subscription is registered: what is published from then on reaches its channel', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('ready');
        const body = (d: Delivery): number => Number(d.message.body?.['n']);
        // a channel gets no copy of what was published before it existed, so a
        // subscription that is not registered yet would miss n: 1
        const first = readiness();
        const earlier = collect(
          transport.subscribeTopic(topic, { channel: 'first', onReady: first.onReady }),
        );
        await first.ready;
        await transport.publish(topic, event({ n: 0 }));
        await waitFor('the first channel’s copy', () => earlier.items.length === 1);
        earlier.items[0]?.finish();
        let calls = 0;
        const second = readiness();
        const later = collect(
          transport.subscribeTopic(topic, {
            channel: 'second',
            onReady: () => {
              calls += 1;
              second.onReady();
            },
          }),
        );
        await second.ready;
        await transport.publish(topic, event({ n: 1 }));
        await waitFor('both copies of n: 1', () => later.items.length === 1 && earlier.items.length === 2);
        [earlier.items[1], later.items[0]].forEach((d) => d?.finish());
        earlier.subscription.unsubscribe();
        later.subscription.unsubscribe();
        expect(earlier.items.map(body)).toEqual([0, 1]);
        expect(later.items.map(body)).toEqual([1]);
        expect(calls).toBe(1);
      });

      it('resolves the ready promise of subscribeTopic and subscribeBroadcast once registered: what is published after it reaches them', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('ready.promise');
        // a channel gets no copy of what was published before it existed, so an
        // early `ready` would lose n: 1 on the second channel or the broadcast one
        const first$ = transport.subscribeTopic(topic, { channel: 'first' });
        const first = collect(first$);
        await first$.ready;
        await transport.publish(topic, { body: { n: 0 } });
        await waitFor('the first channel’s copy', () => first.items.length === 1);
        const second$ = transport.subscribeTopic(topic, { channel: 'second' });
        const broadcast$ = transport.subscribeBroadcast(topic);
        expect(second$.ready).toBeInstanceOf(Promise);
        const second = collect(second$);
        const everyNode = collect(broadcast$);
        await Promise.all([second$.ready, broadcast$.ready]);
        await transport.publish(topic, { body: { n: 1 } });
        await waitFor(
          'every copy of n: 1',
          () => first.items.length === 2 && second.items.length === 1 && everyNode.items.length === 1,
        );
        [first, second, everyNode].forEach((c) => {
          c.items.forEach((d) => d.finish());
          c.subscription.unsubscribe();
        });
        expect(second.items[0]?.message.body).toEqual({ n: 1 });
        expect(everyNode.items[0]?.message.body).toEqual({ n: 1 });
      });

      it('rejects the ready promise when the subscription fails first', async () => {
        const { transport } = await setUp();
        const invalid$ = transport.subscribeTopic('no/slashes');
        const failed = collect(invalid$);
        await expectAsync(invalid$.ready).toBeRejectedWithError(InvalidNameError);
        expect(failed.errors[0]).toBeInstanceOf(InvalidNameError);
        const unsubscribed$ = transport.subscribeBroadcast('not valid');
        // never subscribed: pending, and no unhandled rejection later either
        expect(unsubscribed$.ready).toBeInstanceOf(Promise);
      });

      // a deferred message waits in nsqd's deferred queue like a requeue: on a new channel up to the 5 s scan
      it(
        'publishDeferred delivers no earlier than the delay',
        async () => {
          const { transport } = await setUp();
          const topic = uniqueTopic('deferred');
          const { onReady, ready } = readiness();
          const got = firstValueFrom(transport.subscribeTopic(topic, { onReady }));
          await ready;
          const start = Date.now();
          await transport.publishDeferred(topic, event({ late: 1 }), 300);
          const delivery = await got;
          delivery.finish();
          expect(Date.now() - start).toBeGreaterThanOrEqual(280);
        },
        REQUEUE_SPEC_MS,
      );

      it('shares a channel between 3 balanced subscribers, who together get every message once', async () => {
        const { transport, peer } = await setUp();
        const topic = uniqueTopic('balanced');
        const nodes = [transport, peer(), peer()];
        const seen = nodes.map(() => [] as number[]);
        const signals = nodes.map(readiness);
        const subscriptions = nodes.map((node, i) =>
          node
            // one in flight each: with the default 100, nsqd may hand all 60 to one client (seen under load)
            .subscribeTopic(topic, { channel: 'workers', maxInFlight: 1, onReady: signals[i]?.onReady })
            .pipe(
              handleDeliveries(async (d) => {
                seen[i]?.push(Number(d.message.body?.['n']));
                await sleep(2);
              }),
            )
            .subscribe(),
        );
        await Promise.all(signals.map((s) => s.ready));
        const count = 60;
        await Promise.all(Array.from({ length: count }, (_, n) => transport.publish(topic, event({ n }))));
        await waitFor('all messages', () => seen.flat().length >= count);
        // a duplicate would come after the last new message: give it time to show
        await sleep(50);
        subscriptions.forEach((s) => s.unsubscribe());
        const all = seen.flat().sort((a, b) => a - b);
        expect(all).toEqual(Array.from({ length: count }, (_, n) => n));
        for (const share of seen) expect(share.length).toBeGreaterThan(0);
      });

      it('gives every one of 3 broadcast subscribers every message', async () => {
        const { transport, peer } = await setUp();
        const topic = uniqueTopic('broadcast');
        const nodes = [transport, peer(), peer()];
        const seen = nodes.map(() => [] as number[]);
        const signals = nodes.map(readiness);
        const subscriptions = nodes.map((node, i) =>
          node
            .subscribeBroadcast(topic, { maxInFlight: 10, onReady: signals[i]?.onReady })
            .pipe(handleDeliveries((d) => void seen[i]?.push(Number(d.message.body?.['n']))))
            .subscribe(),
        );
        await Promise.all(signals.map((s) => s.ready));
        for (let n = 0; n < 10; n++) await transport.broadcast(topic, event({ n }));
        await waitFor('every copy', () => seen.every((s) => s.length >= 10));
        subscriptions.forEach((s) => s.unsubscribe());
        for (const share of seen) expect(share.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
      });
    });

    describe('defaults (no options)', () => {
      it(`takes up to DEFAULT_MAX_IN_FLIGHT (${DEFAULT_MAX_IN_FLIGHT}) deliveries at once, and no more until one is acknowledged`, async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('defaults');
        const deliveries$ = transport.subscribeTopic(topic);
        const received = collect(deliveries$);
        await deliveries$.ready;
        const total = DEFAULT_MAX_IN_FLIGHT + 5;
        await Promise.all(Array.from({ length: total }, (_, n) => transport.publish(topic, event({ n }))));
        await waitFor(
          `${DEFAULT_MAX_IN_FLIGHT} deliveries in hand`,
          () => received.items.length >= DEFAULT_MAX_IN_FLIGHT,
        );
        // time for a delivery beyond the bound, which must not come
        await sleep(100);
        expect(received.items.length).toBe(DEFAULT_MAX_IN_FLIGHT);
        received.items[0]?.finish();
        await waitFor(
          'one more once one was acknowledged',
          () => received.items.length === DEFAULT_MAX_IN_FLIGHT + 1,
        );
        received.items.forEach((d) => d.finish());
        await waitFor('the rest', () => received.items.length === total);
        received.items.forEach((d) => d.finish());
        received.subscription.unsubscribe();
        expect(new Set(received.items.map((d) => d.message.body?.['n'])).size).toBe(total);
      });

      it('delivers each message at once, not after a broker-side output buffer timeout', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('latency');
        const deliveries = new Subject<Delivery>();
        const deliveries$ = transport.subscribeTopic(topic);
        const subscription = deliveries$.subscribe(deliveries);
        await deliveries$.ready;
        // nsqd buffering output would hold each of these up to 250 ms (125 ms on average): 10 would take about 1.25 s
        let waited = 0;
        for (let n = 0; n < 10; n++) {
          const started = Date.now();
          const next = firstValueFrom(deliveries);
          await transport.publish(topic, event({ n }));
          (await next).finish();
          waited += Date.now() - started;
        }
        subscription.unsubscribe();
        expect(waited).toBeLessThan(600);
      });
    });

    describe('request and respond', () => {
      it('round-trips a request between two nodes, with the deadline in the header', async () => {
        const { transport, peer } = await setUp();
        const service = peer();
        const action = uniqueTopic('echo');
        let seen: Delivery | undefined;
        const { onReady, ready } = readiness();
        const served = service
          .subscribeTopic(action, { onReady })
          .pipe(
            handleDeliveries(async (d) => {
              seen = d;
              await service.respond(d.message, { echo: d.message.body ?? null });
            }),
          )
          .subscribe();
        await ready;
        const reply = await firstValueFrom(transport.request(action, { hello: 'world' }, { timeout: 2_000 }));
        served.unsubscribe();
        expect(reply.type).toBe(MessageType.RESPONSE);
        expect(reply.statusCode).toBe(200);
        expect(reply.body).toEqual({ result: { echo: { hello: 'world' } } });
        expect(seen?.message.replyTo).toBe(transport.replyTopic);
        expect(seen?.message.header?.[HeaderKey.DEADLINE]).toBe('2000');
        expect(seen?.expired).toBeFalse();
        expect(seen?.remainingMs).toBeGreaterThan(1_000);
        expect(seen?.remainingMs).toBeLessThanOrEqual(2_000);
      });

      it(`correlates ${concurrentRequests} concurrent requests`, async () => {
        const { transport, peer } = await setUp();
        const service = peer();
        const action = uniqueTopic('echo');
        const served = await serveEcho(service, action);
        const replies = await Promise.all(
          Array.from({ length: concurrentRequests }, (_, i) =>
            firstValueFrom(transport.request(action, { i }, { timeout: 5_000 })),
          ),
        );
        served.unsubscribe();
        replies.forEach((reply, i) => expect(reply.body?.['result']).toEqual({ i }));
      });

      it('errors with TimeoutError when nobody answers', async () => {
        const { transport } = await setUp();
        const started = Date.now();
        await expectAsync(firstValueFrom(transport.request(uniqueTopic('nobody'), {}))).toBeRejectedWithError(
          TimeoutError,
        );
        expect(Date.now() - started).toBeGreaterThanOrEqual(190);
        expect(metrics.export()['transport.request_timeouts']).toBe(1);
      });

      it('drops and counts a response that comes after the timeout, never handing it to another caller', async () => {
        const { transport, peer } = await setUp();
        const service = peer();
        const slow = uniqueTopic('slow');
        const fast = uniqueTopic('fast');
        const [servedSlow, servedFast] = await Promise.all([
          serveEcho(service, slow, 300),
          serveEcho(service, fast),
        ]);
        const late = firstValueFrom(transport.request(slow, { which: 'slow' }, { timeout: 100 }));
        await expectAsync(late).toBeRejectedWithError(TimeoutError);
        // a request still waiting when the late reply comes must get its own
        const other = firstValueFrom(transport.request(fast, { which: 'fast' }, { timeout: 2_000 }));
        expect((await other).body?.['result']).toEqual({ which: 'fast' });
        await waitFor('the late reply', () => (metrics.export()['transport.late_replies'] ?? 0) >= 1);
        servedSlow.unsubscribe();
        servedFast.unsubscribe();
        expect(metrics.export()['transport.late_replies']).toBe(1);
      });

      it('errors with a ResponseError carrying the status when the handler answers with an error', async () => {
        const { transport, peer } = await setUp();
        const service = peer();
        const action = uniqueTopic('failing');
        const { onReady, ready } = readiness();
        const served = service
          .subscribeTopic(action, { onReady })
          .pipe(handleDeliveries((d) => service.respond(d.message, new Error('no such user'), 404)))
          .subscribe();
        await ready;
        const error = await firstValueFrom(transport.request(action, {}, { timeout: 2_000 })).catch(
          (e: unknown) => e,
        );
        served.unsubscribe();
        expect(error).toBeInstanceOf(ResponseError);
        expect((error as ResponseError).statusCode).toBe(404);
        expect((error as ResponseError).remoteMessage).toBe('no such user');
        expect((error as ResponseError).code).toBe('NOT_FOUND');
      });

      it('cancels the conversation when the caller unsubscribes before the reply', async () => {
        const { transport, peer } = await setUp();
        const service = peer();
        const action = uniqueTopic('slow');
        const served = await serveEcho(service, action, 100);
        const values: Message[] = [];
        const subscription = transport
          .request(action, {}, { timeout: 2_000 })
          .subscribe((m) => values.push(m));
        // the request is out and its reply not back yet (the handler takes 100 ms)
        await sleep(20);
        subscription.unsubscribe();
        await waitFor('the dropped reply', () => (metrics.export()['transport.late_replies'] ?? 0) >= 1);
        served.unsubscribe();
        expect(values).toEqual([]);
      });
    });

    describe('retries and dead letters', () => {
      it(
        'retries a failing handler up to maxAttempts, then dead-letters with the reason in the header',
        async () => {
          const { transport } = await setUp({
            retry: { '*': { maxAttempts: 3, initialDelayMs: 10, maxDelayMs: 50, jitter: 0 } },
          });
          const topic = uniqueTopic('poison');
          const attempts: number[] = [];
          const [main, deadLetters] = [readiness(), readiness()];
          const handled = collect(
            transport.subscribeTopic(topic, { onReady: main.onReady }).pipe(
              handleDeliveries((d) => {
                attempts.push(d.attempts);
                throw new Error('cannot process');
              }),
            ),
          );
          const dead = firstValueFrom(
            transport.subscribeTopic(`${topic}.dead`, { onReady: deadLetters.onReady }),
          );
          await Promise.all([main.ready, deadLetters.ready]);
          const sent = event({ id: 7 });
          await transport.publish(topic, sent);
          const letter = await dead;
          letter.finish();
          // the letter can arrive before the broker's acknowledgement of its publish reaches the sender
          await waitFor('the third outcome', () => handled.items.length === 3);
          handled.subscription.unsubscribe();
          expect(attempts).toEqual([1, 2, 3]);
          expect(handled.items.map((h) => h.outcome)).toEqual(['requeued', 'requeued', 'dead-lettered']);
          expect(letter.message.body).toEqual(sent.body);
          expect(letter.message.contextID).toBe(sent.contextID);
          expect(letter.message.header).toEqual({
            [HeaderKey.ERROR]: 'cannot process',
            [HeaderKey.ORIGINAL_TOPIC]: topic,
            [HeaderKey.ATTEMPTS]: '3',
          });
          expect(metrics.export()['transport.dead_lettered']).toBe(1);
        },
        REQUEUE_SPEC_MS,
      );

      it(
        'lets operators piped by the user decide first: their retries, then their dead letter',
        async () => {
          const { transport } = await setUp({ retry: { '*': { maxAttempts: 5, initialDelayMs: 10 } } });
          const topic = uniqueTopic('piped');
          const attempts: number[] = [];
          const [main, failed, dead] = [readiness(), readiness(), readiness()];
          const handled = collect(
            transport.subscribeTopic(topic, { onReady: main.onReady }).pipe(
              deadLetter({ publish: transport.publish, topic: `${topic}.failed` }),
              retryWithBackoff({ maxAttempts: 2, initialDelayMs: 10, jitter: 0 }),
              handleDeliveries((d) => {
                attempts.push(d.attempts);
                throw new Error('still broken');
              }),
            ),
          );
          const letter = firstValueFrom(
            transport.subscribeTopic(`${topic}.failed`, { onReady: failed.onReady }),
          );
          const transportDead = collect(transport.subscribeTopic(`${topic}.dead`, { onReady: dead.onReady }));
          await Promise.all([main.ready, failed.ready, dead.ready]);
          await transport.publish(topic, event({ id: 8 }));
          const received = await letter;
          received.finish();
          await waitFor('the second outcome', () => handled.items.length === 2, REQUEUE_SPEC_MS - 2_000);
          await sleep(50);
          handled.subscription.unsubscribe();
          transportDead.subscription.unsubscribe();
          expect(attempts).toEqual([1, 2]);
          expect(handled.items.map((h) => h.outcome)).toEqual(['requeued', 'dead-lettered']);
          expect(received.message.header?.[HeaderKey.ERROR]).toBe('still broken');
          expect(received.message.header?.[HeaderKey.ATTEMPTS]).toBe('2');
          expect(transportDead.items).toEqual([]);
        },
        REQUEUE_SPEC_MS,
      );

      it(
        'drops a message published twice under one idempotency key, and still retries a failed one',
        async () => {
          const { transport } = await setUp({ retry: { '*': { initialDelayMs: 10, jitter: 0 } } });
          const topic = uniqueTopic('dedupe');
          const { onReady, ready } = readiness();
          const seen: string[] = [];
          const handled = collect(
            transport.subscribeTopic(topic, { onReady }).pipe(
              dedupe(),
              handleDeliveries((d) => {
                seen.push(`${String(d.message.body?.['n'])}@${d.attempts}`);
                if (d.message.body?.['n'] === 1 && d.attempts === 1) throw new Error('first try fails');
              }),
            ),
          );
          await ready;
          const once = (n: number, key: string): Message => ({
            ...event({ n }),
            header: { [HeaderKey.IDEMPOTENCY_KEY]: key },
          });
          await transport.publish(topic, once(1, 'k1'));
          await transport.publish(topic, once(1, 'k1')); // the producer's retry: a second broker message
          await transport.publish(topic, once(2, 'k2'));
          await waitFor(
            'two messages handled',
            () => handled.items.filter((h) => h.outcome === 'finished').length === 2,
            REQUEUE_SPEC_MS - 2_000,
          );
          await sleep(50);
          handled.subscription.unsubscribe();
          expect(seen.filter((s) => s.startsWith('2@'))).toEqual(['2@1']);
          // k1: its first delivery failed and was retried; the duplicate never reached the handler
          expect(seen.filter((s) => s.startsWith('1@'))).toEqual(['1@1', '1@2']);
        },
        REQUEUE_SPEC_MS,
      );

      it('sends undecodable bytes straight to the dead-letter topic, never to the subscriber', async () => {
        const { transport, broker } = await setUp();
        const topic = uniqueTopic('garbage');
        const [main, deadLetters] = [readiness(), readiness()];
        const received = collect(transport.subscribeTopic(topic, { onReady: main.onReady }));
        const dead = firstValueFrom(
          transport
            .subscribeTopic(`${topic}.dead`, { maxInFlight: 2, onReady: deadLetters.onReady })
            .pipe(take(2), toArray()),
        );
        await Promise.all([main.ready, deadLetters.ready]);
        const garbage = new TextEncoder().encode('{not json at all');
        await firstValueFrom(broker.publish(topic, garbage), { defaultValue: undefined });
        const invalid = new TextEncoder().encode(JSON.stringify({ type: 'request', contextID: 'c' })); // no node
        await firstValueFrom(broker.publish(topic, invalid), { defaultValue: undefined });
        const deliveries = await dead;
        deliveries.forEach((d) => d.finish());
        // time for a delivery to the subscriber that must never come
        await sleep(50);
        received.subscription.unsubscribe();
        expect(received.items).toEqual([]);
        const letters = deliveries.map((d) => d.message);
        for (const m of letters) expect(m.type).toBe(MessageType.EVENT);
        const raw = letters.map((m) => new TextDecoder().decode(m.rawBody));
        expect(raw.sort()).toEqual([new TextDecoder().decode(invalid), '{not json at all'].sort());
        for (const m of letters) {
          expect(m.header?.[HeaderKey.ORIGINAL_TOPIC]).toBe(topic);
          expect(m.header?.[HeaderKey.ATTEMPTS]).toBe('1');
          expect(m.header?.[HeaderKey.ERROR]).toMatch(/cannot decode|invalid message/);
        }
        expect(metrics.export()['transport.undecodable']).toBe(2);
      });

      it(
        'keeps the stream up when a handler throws, and retries the failed message',
        async () => {
          const { transport } = await setUp({ retry: { '*': { initialDelayMs: 20, jitter: 0 } } });
          const topic = uniqueTopic('flaky');
          const done: string[] = [];
          const { onReady, ready } = readiness();
          const handled = collect(
            transport.subscribeTopic(topic, { maxInFlight: 5, onReady }).pipe(
              handleDeliveries((d) => {
                const name = String(d.message.body?.['name']);
                if (name === 'a' && d.attempts === 1) throw new Error('first try fails');
                done.push(`${name}${d.attempts}`);
              }),
            ),
          );
          await ready;
          await transport.publish(topic, event({ name: 'a' }));
          await transport.publish(topic, event({ name: 'b' }));
          await waitFor('both handled', () => done.length === 2, REQUEUE_SPEC_MS - 2_000);
          handled.subscription.unsubscribe();
          expect(done.sort()).toEqual(['a2', 'b1']);
          expect(handled.errors).toEqual([]);
        },
        REQUEUE_SPEC_MS,
      );

      it('touches a delivery whose handler runs past the message timeout, so it is not redelivered', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('slow');
        const attempts: number[] = [];
        const release = new Subject<void>();
        const { onReady, ready } = readiness();
        const handled = collect(
          transport.subscribeTopic(topic, { msgTimeoutMs: 1_000, onReady }).pipe(
            handleDeliveries((d) => {
              attempts.push(d.attempts);
              return release.pipe(take(1));
            }),
          ),
        );
        await ready;
        await transport.publish(topic, event({}));
        // past two message timeouts: long enough for a redelivery, were the delivery not touched
        await sleep(2_300);
        release.next();
        await waitFor('the outcome', () => handled.items.length === 1);
        handled.subscription.unsubscribe();
        expect(attempts).toEqual([1]);
        expect(handled.items[0]?.outcome).toBe('finished');
        expect(metrics.export()['transport.auto_touched']).toBeGreaterThanOrEqual(2);
      });
    });

    describe('subscribePrefix', () => {
      it('picks up a topic created after subscribing, and leaves out dead-letter topics', async () => {
        const { transport } = await setUp({ pollIntervalMs: 50 });
        const prefix = `${uniqueTopic('pfx')}.`;
        const received = collect(transport.subscribePrefix(prefix, { maxInFlight: 5 }));
        await transport.publish(`${prefix}a`, event({ n: 1 }));
        await waitFor('the first topic', () => received.items.length === 1, 3_000);
        await transport.publish(`${prefix}b`, event({ n: 2 }));
        await transport.publish(`${prefix}b.dead`, event({ n: 3 }));
        await waitFor('the second topic', () => received.items.length === 2, 3_000);
        // three more polls, in which the dead-letter topic must not be picked up
        await sleep(150);
        received.subscription.unsubscribe();
        received.items.forEach((d) => d.finish());
        expect(received.items.map((d) => d.topic)).toEqual([`${prefix}a`, `${prefix}b`]);
      });
    });

    describe('middleware', () => {
      it('applies operator middleware to the stream and handler middleware around the handler, global first', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('mw');
        const order: string[] = [];
        transport.use(operatorMiddleware(tap(() => order.push('operator'))));
        transport.use(
          handlerMiddleware((next) => (d) => {
            order.push(`scoped:${String(d.context['user'])}`);
            return next(d);
          }),
          { topic },
        );
        transport.use(
          handlerMiddleware((next) => (d) => {
            order.push('global');
            return next(d.withContext({ user: 'u1' }));
          }),
        );
        transport.use(
          handlerMiddleware(() => () => void order.push('other topic')),
          { topic: 'elsewhere.' },
        );
        const { onReady, ready } = readiness();
        const handled = firstValueFrom(
          transport
            .subscribeTopic(topic, { onReady })
            .pipe(handleDeliveries((d) => void order.push(`handler:${String(d.context['user'])}`))),
        );
        await ready;
        await transport.publish(topic, event({}));
        expect((await handled).outcome).toBe('finished');
        expect(order).toEqual(['operator', 'global', 'scoped:u1', 'handler:u1']);
      });
    });

    describe('close', () => {
      it('drains: stops taking messages, waits for in-flight handlers, fails pending requests, completes streams', async () => {
        const { transport } = await setUp();
        const topic = uniqueTopic('drain');
        const outcomes: string[] = [];
        let completed = false;
        const { onReady, ready } = readiness();
        transport
          .subscribeTopic(topic, { maxInFlight: 1, onReady })
          .pipe(
            handleDeliveries(async () => {
              await sleep(150);
            }),
          )
          .subscribe({ next: (h) => outcomes.push(h.outcome), complete: () => (completed = true) });
        await ready;
        await transport.publish(topic, event({ n: 1 }));
        await waitFor('the delivery', () => (metrics.export()['transport.received'] ?? 0) === 1);
        const pending = firstValueFrom(
          transport.request(uniqueTopic('nobody'), {}, { timeout: 5_000 }),
        ).catch((e: unknown) => e);
        await transport.close();
        expect(outcomes).toEqual(['finished']);
        expect(completed).toBeTrue();
        expect(await pending).toBeInstanceOf(TransportClosedError);
        expect(transport.closed).toBeTrue();
        await expectAsync(firstValueFrom(transport.request('x', {}))).toBeRejectedWithError(
          TransportClosedError,
        );
        await expectAsync(transport.publish(topic, event({}))).toBeRejectedWithError(TransportClosedError);
        await transport.close(); // idempotent
      });
    });

    describe('close while messages keep coming', () => {
      it('stops taking messages at the broker: what is published during the drain stays there for another consumer, never bounced', async () => {
        const { transport, peer } = await setUp({ drainTimeoutMs: 5_000 });
        const topic = uniqueTopic('drain.pause');
        const other = peer();
        const release = new Subject<void>();
        const handled: number[] = [];
        const { onReady, ready } = readiness();
        transport
          .subscribeTopic(topic, { channel: 'workers', maxInFlight: 5, onReady })
          .pipe(
            handleDeliveries((d) => {
              handled.push(Number(d.message.body?.['n']));
              return release.pipe(take(1));
            }),
          )
          .subscribe();
        await ready;
        await transport.publish(topic, event({ n: 0 }));
        await waitFor('the first delivery', () => handled.length === 1);
        const closed = transport.close();
        // nothing says when nsqd has applied the RDY 0 sent on the consumer's own connection
        await sleep(100);
        await Promise.all([1, 2, 3].map((n) => other.publish(topic, event({ n }))));
        // the draining consumer has 4 free slots: give the broker time to (wrongly) use them
        await sleep(300);
        expect(handled).toEqual([0]);
        release.next();
        await closed;
        const later = await firstValueFrom(
          other.subscribeTopic(topic, { channel: 'workers', maxInFlight: 5 }).pipe(take(3), toArray()),
        );
        later.forEach((d) => d.finish());
        expect(later.map((d) => Number(d.message.body?.['n'])).sort()).toEqual([1, 2, 3]);
        // a bounce through the broker would show as a second attempt
        expect(later.map((d) => d.attempts)).toEqual([1, 1, 1]);
        expect(metrics.export()['transport.requeued'] ?? 0).toBe(0);
      });
    });

    it('round-trips raw bytes and the codec on the wire', async () => {
      const { transport, broker } = await setUp();
      const topic = uniqueTopic('wire');
      const { onReady, ready } = readiness();
      const got = firstValueFrom(transport.subscribeTopic(topic, { onReady }));
      await ready;
      const request = newRequest('auth.login');
      await firstValueFrom(broker.publish(topic, encode(request)), { defaultValue: undefined });
      const delivery = await got;
      delivery.finish();
      expect(delivery.message).toEqual(request);
      expect(decode(encode(delivery.message))).toEqual(decode(encode(request)));
    });
  });
};
