/**
 * The transport in virtual time, over the memory broker: timeouts, retries with
 * backoff, auto-touch, prefix polling and the drain, all on the TestScheduler.
 */
import * as E from 'fp-ts/lib/Either.js';
import { NEVER, Subject, asyncScheduler, firstValueFrom, map, of, tap, timer, type Observable } from 'rxjs';
import { newMessage, type Message } from '../../src/codec/message.js';
import { decode, encode } from '../../src/codec/wire.js';
import { REUSED_FRAME_BYTES } from '../../src/transport/publish.js';
import { HeaderKey, MessageType } from '../../src/constant/index.js';
import { BadRequestError, ConfigError, TimeoutError, TransportClosedError } from '../../src/errors.js';
import { ConversationLimitError, DuplicateConversationError } from '../../src/context/errors.js';
import { memoryLogger } from '../../src/logger/memoryLogger.js';
import { createMetrics } from '../../src/metrics/createMetrics.js';
import type { Metrics } from '../../src/metrics/types.js';
import { handleDeliveries, type HandledDelivery } from '../../src/operators/handleDeliveries.js';
import type { Broker, BrokerDelivery } from '../../src/broker/types.js';
import { DRAIN_REQUEUE_DELAY_MS } from '../../src/transport/consume.js';
import { createTransport } from '../../src/transport/createTransport.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import type { MemoryBroker } from '../../src/broker/memory/types.js';
import type { SubscribeTopicOptions, Transport, TransportOptions } from '../../src/transport/types.js';
import type { Delivery } from '../../src/delivery/types.js';
import { defaultDeadLetterTopic } from '../../src/delivery/deadLetter.js';
import { testScheduler } from '../helpers/marbles.js';

const event = (body: Record<string, number | string> = {}): Message => ({
  ...newMessage(MessageType.EVENT),
  body,
});

/** A bus of two nodes on one memory broker, on the (virtual, inside `run`) asyncScheduler. */
const bus = (
  options: TransportOptions = {},
): { broker: MemoryBroker; client: Transport; service: Transport; metrics: Metrics } => {
  const broker = memoryBroker();
  const metrics = createMetrics();
  const common = { closeBroker: false, requestTimeoutMs: 100, random: () => 0.5, ...options };
  return {
    broker,
    metrics,
    client: createTransport(broker, { ...common, nodeId: 'client', metrics }),
    service: createTransport(broker, { ...common, nodeId: 'service', service: 'svc' }),
  };
};

const echo = (service: Transport, action: string, delay = 0): Observable<HandledDelivery> =>
  service.subscribeTopic(action, { maxInFlight: 10 }).pipe(
    // synchronous handlers: a promise would settle only after the virtual-time flush
    handleDeliveries((d) =>
      delay > 0
        ? timer(delay).pipe(map(() => void service.respond(d.message, d.message.body ?? {})))
        : void service.respond(d.message, d.message.body ?? {}),
    ),
  );

/** `broker` as one that ignores `paused$` (as a broker without pause support would). */
const ignoringPause = (broker: MemoryBroker): Broker => ({
  publish: (topic, body) => broker.publish(topic, body),
  publishDeferred: (topic, body, delayMs) => broker.publishDeferred(topic, body, delayMs),
  consume: ({ paused$: _ignored, ...options }) => broker.consume(options),
  listTopics: () => broker.listTopics(),
  maxMessageBytes: broker.maxMessageBytes,
  status$: broker.status$,
  close: () => broker.close(),
});

/** Handles deliveries of `n` events, logging `node@time:n:attempts`; each takes `holdMs`. */
const logHandled = (events: string[], node: string, holdMs = 0) =>
  handleDeliveries((d: Delivery) => {
    events.push(`${node}@${asyncScheduler.now()}:${String(d.message.body?.['n'])}:${d.attempts}`);
    return holdMs > 0 ? timer(holdMs).pipe(map(() => undefined)) : undefined;
  });

describe('transport/createTransport', () => {
  describe('options', () => {
    const broker = memoryBroker();
    afterAll(() => broker.close());

    it('gives a short random node id that fits in topic names, and a default service', () => {
      const transport = createTransport(broker, { closeBroker: false });
      expect(transport.nodeId).toMatch(/^[a-z0-9]{1,20}$/);
      expect(transport.service).toBe('default');
      expect(transport.replyTopic).toBe(`_reply.${transport.nodeId}#ephemeral`);
    });

    it('throws a ConfigError for an invalid option', () => {
      const bad: TransportOptions[] = [
        { nodeId: 'has.dot' },
        { nodeId: 'x'.repeat(21) },
        { service: 'a b' },
        { service: 'eph#ephemeral' },
        { requestTimeoutMs: -1 },
        { pollIntervalMs: 0 },
        { drainTimeoutMs: Number.NaN },
        { maxPendingRequests: 0 },
      ];
      for (const options of bad) expect(() => createTransport(broker, options)).toThrowError(ConfigError);
    });

    it('errors a subscription with a bad option with a ConfigError too, as the transport option', () => {
      testScheduler().run(({ expectObservable }) => {
        const { client } = bus();
        const configError = jasmine.any(ConfigError);
        expectObservable(client.subscribePrefix('p.', { pollIntervalMs: 0 })).toBe(
          '#',
          undefined,
          configError,
        );
        expectObservable(client.subscribePrefix('p.', { pollIntervalMs: 60_001 })).toBe(
          '#',
          undefined,
          configError,
        );
        expectObservable(client.subscribeTopic('t', { maxInFlight: 0 })).toBe('#', undefined, configError);
        expectObservable(client.subscribeTopic('t', { msgTimeoutMs: -1 })).toBe('#', undefined, configError);
      });
    });
  });

  describe('publish: what it hands over to the broker', () => {
    it('hands over the bytes it encoded (they are its own), never bytes the caller gave it', async () => {
      const inner = memoryBroker();
      const seen: { body: Uint8Array; handOver: boolean }[] = [];
      const spying: Broker = {
        ...ignoringPause(inner),
        publish: (topic, body, options) => {
          seen.push({ body, handOver: options?.handOver === true });
          return inner.publish(topic, body, options);
        },
        publishDeferred: (topic, body, delayMs, options) => {
          seen.push({ body, handOver: options?.handOver === true });
          return inner.publishDeferred(topic, body, delayMs, options);
        },
      };
      const transport = createTransport(spying);
      const raw = new Uint8Array([1, 2, 3]);
      const rawBody = new Uint8Array([4, 5, 6]);
      await transport.publish('t', { body: { a: 1 } });
      await transport.publish('t', { type: MessageType.STREAM, rawBody });
      await transport.publishDeferred('t', { body: { a: 2 } }, 10);
      await transport.publish('t', raw, { payload: 'bytes' });
      await transport.publishDeferred('t', raw, 10, { payload: 'bytes' });
      expect(seen.map((s) => s.handOver)).toEqual([true, true, true, false, false]);
      // the encoded frame is new memory, not the message's rawBody
      expect(seen[1]?.body.buffer).not.toBe(rawBody.buffer);
      expect(seen[3]?.body).toBe(raw);
      await transport.close();
    });

    it('writes a large frame into the memory of one the broker acknowledged, never of one in flight or failed', () => {
      const inner = memoryBroker();
      const sent: { body: Uint8Array; copy: Uint8Array; settle: Subject<void> }[] = [];
      const controlled: Broker = {
        ...ignoringPause(inner),
        publish: (_topic, body) => {
          const settle = new Subject<void>();
          sent.push({ body, copy: Uint8Array.from(body), settle });
          return settle;
        },
      };
      const transport = createTransport(controlled);
      const large = (seed: number) =>
        Uint8Array.from({ length: REUSED_FRAME_BYTES }, (_, i) => (i * 7 + seed) & 0xff);
      const send = (seed: number): void =>
        void transport
          .publish('t', { type: MessageType.STREAM, rawBody: large(seed) })
          .catch(() => undefined);
      send(1);
      send(2);
      // both in flight: each its own memory
      expect(sent[1]?.body.buffer).not.toBe(sent[0]?.body.buffer);
      sent[0]?.settle.next();
      sent[0]?.settle.complete();
      send(3);
      // the first was acknowledged: the third is written where it was
      expect(sent[2]?.body.buffer).toBe(sent[0]?.body.buffer);
      sent[1]?.settle.error(new Error('lost'));
      send(4);
      // the second failed (the broker may still hold it): never reused
      expect(sent[3]?.body.buffer).not.toBe(sent[1]?.body.buffer);
      expect(sent[3]?.body.buffer).not.toBe(sent[2]?.body.buffer);
      // each frame, when handed over, was exactly its message
      sent.forEach((s, i) => {
        const decoded = decode(s.copy);
        expect(E.isRight(decoded) && decoded.right.rawBody).toEqual(large(i + 1));
        expect(s.body.length).toBe(s.copy.length);
      });
      // small frames are always new memory
      void transport.publish('t', { type: MessageType.STREAM, rawBody: new Uint8Array(10) });
      sent[4]?.settle.next();
      void transport.publish('t', { type: MessageType.STREAM, rawBody: new Uint8Array(10) });
      expect(sent[5]?.body.buffer).not.toBe(sent[4]?.body.buffer);
      void inner.close();
    });

    it("keeps an exclusive delivery body's raw bytes as they are (no copy), and copies those of a shared one", async () => {
      const inner = memoryBroker();
      for (const exclusive of [true, false]) {
        const bodies: Uint8Array[] = [];
        const marking: Broker = {
          ...ignoringPause(inner),
          consume: (options) =>
            inner.consume(options).pipe(
              map((d): BrokerDelivery => {
                bodies.push(d.body);
                return { ...d, exclusiveBody: exclusive };
              }),
            ),
        };
        const transport = createTransport(marking, { closeBroker: false });
        const topic = `kept.${String(exclusive)}`;
        const rawBody = new Uint8Array([1, 2, 3]);
        const received = firstValueFrom(transport.subscribeTopic(topic));
        await transport.publish(topic, { type: MessageType.STREAM, rawBody });
        const bytes = firstValueFrom(transport.subscribeTopic(`${topic}.bytes`, { payload: 'bytes' }));
        await transport.publish(`${topic}.bytes`, new Uint8Array([4, 5]), { payload: 'bytes' });
        const delivery = await received;
        const foreign = await bytes;
        expect(delivery.message.rawBody).toEqual(rawBody);
        expect(foreign.message.rawBody).toEqual(new Uint8Array([4, 5]));
        // a plain Uint8Array (never a Buffer on Node)
        expect(Object.getPrototypeOf(delivery.message.rawBody)).toBe(Uint8Array.prototype);
        // the same memory as the delivery's body when exclusive, other memory when not
        expect(delivery.message.rawBody?.buffer === bodies[0]?.buffer).toBe(exclusive);
        expect(foreign.message.rawBody?.buffer === bodies[1]?.buffer).toBe(exclusive);
        delivery.finish();
        foreign.finish();
        await transport.close();
      }
      await inner.close();
    });
  });

  describe('request in virtual time', () => {
    it('gets the reply of a request in the same frame over the memory broker', () => {
      testScheduler().run(({ expectObservable }) => {
        const { client, service } = bus();
        echo(service, 'echo').subscribe();
        expectObservable(client.request('echo', { a: 1 })).toBe('(r|)', {
          r: jasmine.objectContaining({ type: 'response', statusCode: 200, body: { result: { a: 1 } } }),
        });
      });
    });

    it('errors with a TimeoutError at the timeout, and counts the reply that comes later', () => {
      let bus_: ReturnType<typeof bus> | undefined;
      testScheduler().run(({ expectObservable }) => {
        bus_ = bus();
        echo(bus_.service, 'slow', 150).subscribe();
        expectObservable(bus_.client.request('slow', {}, { timeout: 100 })).toBe(
          '100ms #',
          undefined,
          jasmine.any(TimeoutError),
        );
      });
      expect(bus_?.metrics.export()['transport.request_timeouts']).toBe(1);
      expect(bus_?.metrics.export()['transport.late_replies']).toBe(1);
    });

    it('cancels the conversation on unsubscribe; the reply is then dropped and counted', () => {
      let bus_: ReturnType<typeof bus> | undefined;
      testScheduler().run(({ expectObservable }) => {
        bus_ = bus();
        echo(bus_.service, 'slow', 50).subscribe();
        expectObservable(bus_.client.request('slow', {}), '^-- 20ms !').toBe('');
      });
      expect(bus_?.metrics.export()['transport.late_replies']).toBe(1);
    });

    it('puts the time budget in the header, and the delivery counts it down', () => {
      const checks: unknown[] = [];
      testScheduler().run(() => {
        const { client, service } = bus();
        let seen: Delivery | undefined;
        const subscription = service.subscribeTopic('budget').subscribe((d) => {
          seen = d;
          checks.push(d.message.header?.[HeaderKey.DEADLINE], d.remainingMs, d.expired);
        });
        client.request('budget', {}, { timeout: 300 }).subscribe({ error: () => undefined });
        timer(299).subscribe(() => checks.push(seen?.remainingMs, seen?.expired));
        timer(300).subscribe(() => checks.push(seen?.remainingMs, seen?.expired));
        timer(1_000).subscribe(() => subscription.unsubscribe());
      });
      expect(checks).toEqual(['300', 300, false, 1, false, 0, true]);
    });

    it('errors when the request cannot be published, without waiting for the timeout', async () => {
      const { client } = bus();
      await expectAsync(
        new Promise((resolve, reject) =>
          client.request('bad name', {}).subscribe({ next: resolve, error: reject }),
        ),
      ).toBeRejectedWithError(/invalid topic name/);
      await client.close();
    });
    it('drops and counts what on the reply topic is not a response', () => {
      let metrics: Metrics | undefined;
      testScheduler().run(({ expectObservable }) => {
        const b = bus();
        metrics = b.metrics;
        const request$ = b.client.request('nobody', {}, { timeout: 50 });
        expectObservable(request$).toBe('50ms #', undefined, jasmine.any(TimeoutError));
        timer(10).subscribe(() => {
          void b.broker.publish(b.client.replyTopic, new TextEncoder().encode('garbage')).subscribe();
          void b.broker.publish(b.client.replyTopic, encode(event())).subscribe();
        });
      });
      expect(metrics?.export()['transport.invalid_replies']).toBe(2);
    });

    it('refuses a bad timeout (a ConfigError, as requestTimeoutMs), a duplicate context id and more pending requests than allowed', () => {
      testScheduler().run(({ expectObservable }) => {
        const { client } = bus({ maxPendingRequests: 1 });
        expectObservable(client.request('a', {}, { timeout: -1 })).toBe(
          '#',
          undefined,
          jasmine.any(ConfigError),
        );
        expectObservable(client.request('a', {}, { contextID: 'c1' })).toBe(
          '100ms #',
          undefined,
          jasmine.any(TimeoutError),
        );
        expectObservable(client.request('a', {}, { contextID: 'c1' })).toBe(
          '#',
          undefined,
          jasmine.any(DuplicateConversationError),
        );
        expectObservable(client.request('a', {})).toBe('#', undefined, jasmine.any(ConversationLimitError));
      });
    });

    it('rejects a bad publish delay', async () => {
      const { client } = bus();
      await expectAsync(client.publishDeferred('t', event(), -5)).toBeRejectedWithError(BadRequestError);
      await client.close();
    });
  });

  describe('retries in virtual time', () => {
    it('redelivers with exponential backoff, then dead-letters', () => {
      testScheduler().run(({ flush }) => {
        const { client, service } = bus({
          retry: { 'jobs.': { maxAttempts: 4, initialDelayMs: 100, factor: 2, jitter: 0 } },
        });
        const attempts: [number, number][] = [];
        const dead: [number, string | undefined][] = [];
        service
          .subscribeTopic('jobs.resize')
          .pipe(
            handleDeliveries((d) => {
              attempts.push([asyncScheduler.now(), d.attempts]);
              throw new Error('boom');
            }),
          )
          .subscribe();
        service.subscribeTopic('jobs.resize.dead').subscribe((d) => {
          dead.push([asyncScheduler.now(), d.message.header?.[HeaderKey.ATTEMPTS]]);
          d.finish();
        });
        void client.publish('jobs.resize', event());
        flush();
        expect(attempts).toEqual([
          [0, 1],
          [100, 2],
          [300, 3],
          [700, 4],
        ]);
        expect(dead).toEqual([[700, '4']]);
      });
    });

    it('dead-letters at once an error the policy says is not retryable', () => {
      testScheduler().run(({ flush }) => {
        const { client, service } = bus({
          retry: { '*': { retryable: (e) => !(e instanceof TypeError) } },
        });
        const outcomes: string[] = [];
        service
          .subscribeTopic('t')
          .pipe(
            handleDeliveries(() => {
              throw new TypeError('bad input');
            }),
          )
          .subscribe();
        service.subscribeTopic('t.dead').subscribe((d) => {
          outcomes.push(d.message.header?.[HeaderKey.ERROR] ?? '');
          d.finish();
        });
        void client.publish('t', event());
        flush();
        expect(outcomes).toEqual(['bad input']);
      });
    });

    it('fails a subscription with an invalid retry policy at once', () => {
      testScheduler().run(({ expectObservable }) => {
        const { service } = bus({ retry: { '*': { factor: 0.5 } } });
        expectObservable(service.subscribeTopic('t')).toBe('#', undefined, jasmine.any(ConfigError));
      });
    });

    it('fails a subscription whose dead-letter topic is invalid at once, naming the option that gave it', () => {
      testScheduler().run(({ expectObservable }) => {
        const invalidFrom = (value: string) =>
          jasmine.objectContaining({ code: 'INVALID_NAME', kind: 'topic', value, option: 'deadLetterTopic' });
        const { service } = bus();
        expectObservable(service.subscribeTopic('t', { deadLetterTopic: 'a b' })).toBe(
          '#',
          undefined,
          invalidFrom('a b'),
        );
        const custom = bus({ deadLetterTopic: (t) => `dead letters of ${t}` }).service;
        expectObservable(custom.subscribeTopic('t')).toBe('#', undefined, invalidFrom('dead letters of t'));
        const throwing = bus({
          deadLetterTopic: () => {
            throw new Error('no');
          },
        }).service;
        expectObservable(throwing.subscribeTopic('t')).toBe('#', undefined, jasmine.any(ConfigError));
      });
    });

    it('dead-letters a 60-character topic to its derived dead-letter topic, or where deadLetterTopic says', () => {
      testScheduler().run(({ flush }) => {
        const { client, service } = bus({ retry: { '*': { maxAttempts: 1 } } });
        const topic = `jobs.${'x'.repeat(55)}`;
        const derived = defaultDeadLetterTopic(topic);
        const dead: string[] = [];
        const failing = (t: string, options: SubscribeTopicOptions = {}) =>
          service
            .subscribeTopic(t, options)
            .pipe(
              handleDeliveries(() => {
                throw new Error('boom');
              }),
            )
            .subscribe({ error: (e: unknown) => dead.push(`failed: ${String(e)}`) });
        failing(topic);
        failing('jobs.b', { deadLetterTopic: 'jobs.failed' });
        for (const t of [derived, 'jobs.failed']) {
          service.subscribeTopic(t).subscribe({
            next: (d) => {
              dead.push(`${d.topic} <- ${d.message.header?.[HeaderKey.ORIGINAL_TOPIC] ?? ''}`);
              d.finish();
            },
            error: (e: unknown) => dead.push(`failed: ${String(e)}`),
          });
        }
        void client.publish(topic, event());
        void client.publish('jobs.b', event());
        flush();
        expect(derived.length).toBeLessThanOrEqual(64);
        expect(dead).toEqual([`${derived} <- ${topic}`, 'jobs.failed <- jobs.b']);
      });
    });
  });

  describe('auto-touch in virtual time', () => {
    it('touches a pending delivery at half the message timeout until it is acknowledged', () => {
      let metrics: Metrics | undefined;
      testScheduler().run(({ flush }) => {
        const b = bus();
        metrics = b.metrics;
        const attempts: number[] = [];
        b.client
          .subscribeTopic('slow', { msgTimeoutMs: 1_000 })
          .pipe(
            handleDeliveries((d) => {
              attempts.push(d.attempts);
              return timer(4_900);
            }),
          )
          .subscribe();
        void b.client.publish('slow', event());
        flush();
        expect(attempts).toEqual([1]);
      });
      // a touch every 500 ms from 500 to 4500
      expect(metrics?.export()['transport.auto_touched']).toBe(9);
      expect(metrics?.export()['transport.finished']).toBe(1);
    });

    it('lets the broker redeliver when auto-touch is off', () => {
      testScheduler().run(({ flush }) => {
        const { client } = bus();
        const attempts: [number, number][] = [];
        const subscription = client
          .subscribeTopic('slow', { msgTimeoutMs: 1_000, autoTouch: false, maxInFlight: 2 })
          .subscribe((d) => attempts.push([asyncScheduler.now(), d.attempts]));
        void client.publish('slow', event());
        timer(2_500).subscribe(() => subscription.unsubscribe());
        flush();
        expect(attempts).toEqual([
          [0, 1],
          [1_000, 2],
          [2_000, 3],
        ]);
      });
    });
  });

  describe('subscribePrefix in virtual time', () => {
    it('picks up a topic created later at the next poll', () => {
      testScheduler().run(({ flush }) => {
        const { client, service } = bus({ pollIntervalMs: 1_000 });
        const seen: [number, string][] = [];
        const subscription = service.subscribePrefix('orders.', { maxInFlight: 10 }).subscribe((d) => {
          seen.push([asyncScheduler.now(), d.topic]);
          d.finish();
        });
        void client.publish('orders.a', event());
        void client.publish('users.a', event());
        timer(1_500).subscribe(() => void client.publish('orders.b', event()));
        timer(1_600).subscribe(() => void client.publish('orders.b.dead', event()));
        timer(1_700).subscribe(() => void client.publish('_orders.internal', event()));
        timer(3_500).subscribe(() => subscription.unsubscribe());
        flush();
        expect(seen).toEqual([
          [0, 'orders.a'],
          [2_000, 'orders.b'],
        ]);
      });
    });

    it('closes the consumer of a topic that is no longer listed', () => {
      testScheduler().run(({ flush }) => {
        const broker = memoryBroker();
        let listed = ['p.a', 'p.b'];
        const shown: Broker = {
          publish: (t, b) => broker.publish(t, b),
          publishDeferred: (t, b, d) => broker.publishDeferred(t, b, d),
          consume: (o) => broker.consume(o),
          listTopics: () => of(listed),
          maxMessageBytes: broker.maxMessageBytes,
          status$: broker.status$,
          close: () => broker.close(),
        };
        const transport = createTransport(shown, { pollIntervalMs: 100 });
        const subscription = transport.subscribePrefix('p.').subscribe();
        const consumers = (): number[] =>
          broker.stats().topics.map((t) => t.channels.reduce((n, c) => n + c.consumers, 0));
        timer(50).subscribe(() => {
          expect(consumers()).toEqual([1, 1]);
          listed = ['p.a'];
        });
        timer(150).subscribe(() => expect(consumers()).toEqual([1, 0]));
        timer(200).subscribe(() => subscription.unsubscribe());
        flush();
        expect(consumers()).toEqual([0, 0]);
      });
    });
  });

  describe('onReady', () => {
    it('is called synchronously on subscribe over the memory broker, once, for topic and broadcast subscriptions', () => {
      testScheduler().run(({ flush }) => {
        const { client } = bus();
        const calls: string[] = [];
        client.subscribeTopic('t', { onReady: () => calls.push('topic') }).subscribe();
        client.subscribeBroadcast('b', { onReady: () => calls.push('broadcast') }).subscribe();
        expect(calls).toEqual(['topic', 'broadcast']);
        flush();
        expect(calls).toEqual(['topic', 'broadcast']);
        void client.close();
      });
    });

    it('logs a callback that throws; the subscription carries on', () => {
      testScheduler().run(({ flush }) => {
        const logger = memoryLogger();
        const { client } = bus({ logger });
        const received: Delivery[] = [];
        client
          .subscribeTopic('t', {
            onReady: () => {
              throw new Error('not now');
            },
          })
          .subscribe((d) => {
            received.push(d);
            d.finish();
          });
        void client.publish('t', event());
        flush();
        expect(received.length).toBe(1);
        expect(logger.records.map((r) => r.message)).toContain('transport: onReady threw');
        void client.close();
      });
    });

    it('is never called for a subscription that fails', () => {
      const { client } = bus();
      const onReady = jasmine.createSpy('onReady');
      client.subscribeTopic('bad topic', { onReady }).subscribe({ error: () => undefined });
      expect(onReady).not.toHaveBeenCalled();
      void client.close();
    });
  });

  describe('close in virtual time', () => {
    it('waits for in-flight deliveries up to drainTimeoutMs, then completes the streams', () => {
      testScheduler().run(({ flush }) => {
        const { client } = bus({ drainTimeoutMs: 500 });
        const events: string[] = [];
        client
          .subscribeTopic('never', { maxInFlight: 5 })
          .pipe(
            tap({
              next: (d) => events.push(`delivery@${asyncScheduler.now()}:${d.attempts}`),
              complete: () => events.push(`complete@${asyncScheduler.now()}`),
            }),
            // never settles: the drain gives up on it
            handleDeliveries(() => NEVER),
          )
          .subscribe();
        void client.publish('never', event());
        timer(100).subscribe(() => {
          void client.close();
          events.push(`closing@${asyncScheduler.now()}`);
        });
        // a message arriving while draining stays at the broker, not handed to the handler
        timer(200).subscribe(() => void client.publish('never', event()));
        flush();
        expect(events).toEqual(['delivery@0:1', 'closing@100', 'complete@600']);
      });
    });

    it('pauses its consumers while draining: what comes in stays for the channel’s other consumer, attempts 1', () => {
      testScheduler().run(({ flush }) => {
        const { client, service, broker } = bus({ drainTimeoutMs: 500 });
        const events: string[] = [];
        client
          .subscribeTopic('jobs', { channel: 'w', maxInFlight: 5 })
          .pipe(logHandled(events, 'client', 300))
          .subscribe({ complete: () => events.push(`client complete@${asyncScheduler.now()}`) });
        service
          .subscribeTopic('jobs', { channel: 'w', maxInFlight: 5 })
          .pipe(logHandled(events, 'service'))
          .subscribe();
        void client.publish('jobs', event({ n: 1 }));
        timer(100).subscribe(() => void client.close());
        // round robin would hand one of them to the client, which would bounce it
        timer(200).subscribe(() => {
          void service.publish('jobs', event({ n: 2 }));
          void service.publish('jobs', event({ n: 3 }));
        });
        flush();
        expect(events).toEqual(['client@0:1:1', 'service@200:2:1', 'service@200:3:1', 'client complete@300']);
        expect(broker.stats().topics[0]?.channels[0]).toEqual(
          jasmine.objectContaining({ name: 'w', finished: 3, requeued: 0, consumers: 1 }),
        );
      });
    });

    it('still requeues, DRAIN_REQUEUE_DELAY_MS later, what a broker that cannot pause delivers while draining', () => {
      testScheduler().run(({ flush }) => {
        const broker = memoryBroker();
        const client = createTransport(ignoringPause(broker), {
          nodeId: 'client',
          closeBroker: false,
          drainTimeoutMs: 500,
        });
        const service = createTransport(broker, { nodeId: 'service', closeBroker: false });
        const events: string[] = [];
        client
          .subscribeTopic('jobs', { channel: 'w', maxInFlight: 5 })
          .pipe(logHandled(events, 'client', 300))
          .subscribe();
        void client.publish('jobs', event({ n: 1 }));
        timer(100).subscribe(() => void client.close());
        timer(200).subscribe(() => void service.publish('jobs', event({ n: 2 })));
        timer(250).subscribe(() =>
          service.subscribeTopic('jobs', { channel: 'w' }).pipe(logHandled(events, 'service')).subscribe(),
        );
        flush();
        expect(events).toEqual(['client@0:1:1', `service@${200 + DRAIN_REQUEUE_DELAY_MS}:2:2`]);
      });
    });

    it('closes at once when nothing is in flight, failing pending requests', async () => {
      const { client, broker } = bus({ closeBroker: true });
      const statuses: string[] = [];
      client.status$.subscribe((s) => statuses.push(s));
      const pending = new Promise((resolve) =>
        client.request('nobody', {}, { timeout: 10_000 }).subscribe({ error: resolve }),
      );
      await client.close();
      expect(await pending).toBeInstanceOf(TransportClosedError);
      expect(broker.stats().closed).toBeTrue();
      expect(statuses).toEqual(['ready', 'draining', 'closed']);
      await expectAsync(
        new Promise((resolve, reject) =>
          client.subscribeTopic('t').subscribe({ next: resolve, error: reject }),
        ),
      ).toBeRejectedWithError(TransportClosedError);
    });
  });

  it('encodes what it publishes exactly as the codec does', () => {
    testScheduler().run(({ flush }) => {
      const { client, broker } = bus();
      const bodies: Uint8Array[] = [];
      broker.consume({ topic: 'raw', channel: 'c' }).subscribe((d) => {
        bodies.push(d.body);
        d.finish();
      });
      const msg = event({ x: 1 });
      void client.publish('raw', msg);
      flush();
      expect(bodies).toEqual([encode(msg)]);
    });
  });
});
