import { firstValueFrom, map, take, tap, toArray, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import {
  BadRequestError,
  ConfigError,
  EmptyMessageError,
  InvalidNameError,
  PayloadTooLargeError,
  TransportClosedError,
} from '../../../src/errors';
import type { BrokerDelivery } from '../../../src/broker/types';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  QueueFullError,
  memoryBroker,
  type MemoryBroker,
  type MemoryChannelStats,
  type MemoryTopicStats,
} from '../../../src/broker/memory';
import { testScheduler } from '../../helpers/marbles';

const encoder = new TextEncoder();
const decoder = new TextDecoder();
const bytes = (text: string): Uint8Array => encoder.encode(text);
const text = (d: BrokerDelivery): string => decoder.decode(d.body);

/** Publishes each body, failing the spec on any error. */
const send = (broker: MemoryBroker, topic: string, ...bodies: string[]): void => {
  for (const body of bodies) broker.publish(topic, bytes(body)).subscribe({ error: fail });
};

/** The error an Observable ends with synchronously (undefined when it did not). */
const errorOf = (source: Observable<unknown>): unknown => {
  let caught: unknown;
  source.subscribe({ error: (e: unknown) => (caught = e) }).unsubscribe();
  return caught;
};
const publishError = errorOf;

const topicStats = (broker: MemoryBroker, name: string): MemoryTopicStats | undefined =>
  broker.stats().topics.find((t) => t.name === name);

const channelStats = (broker: MemoryBroker, topic: string, channel: string): MemoryChannelStats | undefined =>
  topicStats(broker, topic)?.channels.find((c) => c.name === channel);

/** Delivery as a plain value for marble comparisons. */
const seen = (d: BrokerDelivery) => ({ body: text(d), attempts: d.attempts });

/**
 * Runs what is due now (dispatches) but no later timer: with a consumer that
 * never acknowledges, in-flight timeouts redeliver forever and `flush()` would
 * never end (such specs close the broker at the end).
 */
const runDue = (ts: TestScheduler): void => {
  const { maxFrames } = ts;
  ts.maxFrames = ts.now();
  ts.flush();
  ts.maxFrames = maxFrames;
};

/** Runs `fn` at virtual time `at`. */
const at = (ts: TestScheduler, time: number, fn: () => void): void => {
  ts.schedule(fn, time);
};

describe('memoryBroker', () => {
  describe('fan-out and load balancing', () => {
    it('copies each message to every channel of the topic', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const channel = (name: string) =>
          broker.consume({ topic: 'orders', channel: name, maxInFlight: 10 }).pipe(
            tap((d) => d.finish()),
            map(text),
          );
        at(ts, 2, () => send(broker, 'orders', 'm1', 'm2', 'm3'));
        for (const name of ['billing', 'shipping', 'audit']) {
          expectObservable(channel(name), '^ 9ms !').toBe('--(xyz)', { x: 'm1', y: 'm2', z: 'm3' });
        }
      });
    });

    it('copies a body handed over too: a later write to it changes no delivery', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const body = bytes('m1');
        at(ts, 2, () => {
          broker.publish('orders', body, { handOver: true }).subscribe({ error: fail });
          body.set(bytes('XX'));
        });
        const channel = broker.consume({ topic: 'orders', channel: 'billing' }).pipe(
          tap((d) => d.finish()),
          map(text),
        );
        expectObservable(channel, '^ 9ms !').toBe('--x', { x: 'm1' });
      });
    });

    it('gives each delivery a body of its own memory, and says so (exclusiveBody)', () => {
      const ts = testScheduler();
      const broker = memoryBroker({ scheduler: ts });
      const got: BrokerDelivery[] = [];
      for (const name of ['a', 'b'])
        broker.consume({ topic: 'orders', channel: name }).subscribe((d) => {
          got.push(d);
          d.finish();
        });
      send(broker, 'orders', 'm1');
      runDue(ts);
      expect(got.map(text)).toEqual(['m1', 'm1']);
      expect(got.map((d) => d.exclusiveBody)).toEqual([true, true]);
      expect(got[0]?.body.buffer).not.toBe(got[1]?.body.buffer);
      broker.close().catch(fail);
    });

    it('spreads a channel over its consumers: each gets a share, together all, none twice', () => {
      const ts = testScheduler();
      ts.run(({ flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const received: string[][] = [[], [], []];
        for (const share of received) {
          broker.consume({ topic: 'jobs', channel: 'workers' }).subscribe((d) => {
            share.push(text(d));
            d.finish();
          });
        }
        const bodies = Array.from({ length: 9 }, (_, i) => `m${i + 1}`);
        send(broker, 'jobs', ...bodies);
        flush();
        for (const share of received) expect(share.length).toBe(3);
        const all = received.flat();
        expect(new Set(all).size).toBe(all.length);
        expect([...all].sort()).toEqual([...bodies].sort());
        expect(received[0]).toEqual(['m1', 'm4', 'm7']);
      });
    });

    it('skips consumers whose in-flight slots are taken', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts });
        const busy: string[] = [];
        const free: string[] = [];
        broker.consume({ topic: 'jobs', channel: 'w' }).subscribe((d) => busy.push(text(d))); // never acks
        broker.consume({ topic: 'jobs', channel: 'w' }).subscribe((d) => {
          free.push(text(d));
          d.finish();
        });
        send(broker, 'jobs', 'a', 'b', 'c', 'd');
        runDue(ts);
        expect(busy).toEqual(['a']);
        expect(free).toEqual(['b', 'c', 'd']);
        void broker.close();
      });
    });
  });

  describe('topics without channels', () => {
    it('holds messages at topic level and hands them to the first channel', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        send(broker, 'orders', 'a', 'b');
        expect(topicStats(broker, 'orders')).toEqual(
          jasmine.objectContaining({ depth: 2, messageCount: 2, channels: [] }),
        );
        const consumer = broker.consume({ topic: 'orders', channel: 'billing', maxInFlight: 5 }).pipe(
          tap((d) => d.finish()),
          map(text),
        );
        expectObservable(consumer, '-----^ 5ms !').toBe('-----(ab)');
        at(ts, 6, () => expect(topicStats(broker, 'orders')?.depth).toBe(0));
      });
    });

    it('gives a channel created later only what is published after it exists', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const channel = (name: string) =>
          broker.consume({ topic: 'orders', channel: name }).pipe(
            tap((d) => d.finish()),
            map(text),
          );
        at(ts, 1, () => send(broker, 'orders', 'early'));
        at(ts, 5, () => send(broker, 'orders', 'late'));
        expectObservable(channel('first'), '^ 9ms !').toBe('-e---l', { e: 'early', l: 'late' });
        expectObservable(channel('second'), '---^ 6ms !').toBe('-----l', { l: 'late' });
      });
    });

    it('keeps buffering a non-ephemeral channel that has no consumer', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 'orders', channel: 'billing', maxInFlight: 5 }).pipe(
          tap((d) => d.finish()),
          map(text),
        );
        at(ts, 3, () => send(broker, 'orders', 'a', 'b'));
        at(ts, 4, () => expect(channelStats(broker, 'orders', 'billing')?.depth).toBe(2));
        expectObservable(consumer, '^!').toBe('');
        expectObservable(consumer, '-----^ 4ms !').toBe('-----(ab)');
      });
    });
  });

  describe('in flight', () => {
    it('respects maxInFlight: the next delivery comes after a finish', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 't', channel: 'c', maxInFlight: 1 }).pipe(
          tap((d) => at(ts, 10, () => expect(d.finish()).toBeTrue())),
          map(text),
        );
        send(broker, 't', 'a', 'b', 'c');
        expectObservable(consumer, '^ 49ms !').toBe('a 9ms b 9ms c');
      });
    });

    it('delivers up to maxInFlight at once', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 't', channel: 'c', maxInFlight: 2 }).pipe(
          tap((d) => at(ts, 10, () => d.finish())),
          map(text),
        );
        send(broker, 't', 'a', 'b', 'c');
        expectObservable(consumer, '^ 49ms !').toBe('(ab) 6ms c');
      });
    });

    it('redelivers a requeued message after its delay with attempts + 1 and the same id and body', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable, flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const ids: string[] = [];
        const consumer = broker.consume({ topic: 't', channel: 'c' }).pipe(
          tap((d) => {
            ids.push(d.id);
            if (d.attempts === 1) expect(d.requeue(50)).toBeTrue();
            else expect(d.finish()).toBeTrue();
          }),
          map(seen),
        );
        at(ts, 5, () => send(broker, 't', 'm'));
        expectObservable(consumer, '^ 99ms !').toBe('----- x 49ms y', {
          x: { body: 'm', attempts: 1 },
          y: { body: 'm', attempts: 2 },
        });
        at(ts, 20, () =>
          expect(channelStats(broker, 't', 'c')).toEqual(jasmine.objectContaining({ deferred: 1 })),
        );
        flush();
        expect(ids[0]).toBe(ids[1]);
        expect(channelStats(broker, 't', 'c')).toEqual(
          jasmine.objectContaining({ requeued: 1, finished: 1, deferred: 0, inFlight: 0 }),
        );
      });
    });

    it('puts requeue(0) at the back of the queue, delivered at once', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 't', channel: 'c' }).pipe(
          tap((d) => (text(d) === 'a' && d.attempts === 1 ? d.requeue() : d.finish())),
          map(seen),
        );
        send(broker, 't', 'a', 'b');
        expectObservable(consumer, '^ 9ms !').toBe('(xyz)', {
          x: { body: 'a', attempts: 1 },
          y: { body: 'b', attempts: 1 },
          z: { body: 'a', attempts: 2 },
        });
      });
    });

    it('clamps a requeue delay to 0..1 h', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 't', channel: 'c' }).pipe(
          tap((d) => {
            if (d.attempts === 1) d.requeue(-5);
            else if (d.attempts === 2) d.requeue(Number.NaN);
            else if (d.attempts === 3) d.requeue(10 * 3_600_000);
            else d.finish();
          }),
          map((d) => d.attempts),
        );
        send(broker, 't', 'm');
        expectObservable(consumer, '^ 3600001ms !').toBe('(abc) 3599995ms d', { a: 1, b: 2, c: 3, d: 4 });
      });
    });

    it('redelivers a delivery nobody acknowledged after msgTimeoutMs, and ignores its late acks', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable, flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const first: BrokerDelivery[] = [];
        const consumer = broker.consume({ topic: 't', channel: 'c', msgTimeoutMs: 100 }).pipe(
          tap((d) => first.push(d)),
          map(seen),
        );
        send(broker, 't', 'm');
        expectObservable(consumer, '^ 249ms !').toBe('x 99ms y 99ms z', {
          x: { body: 'm', attempts: 1 },
          y: { body: 'm', attempts: 2 },
          z: { body: 'm', attempts: 3 },
        });
        at(ts, 150, () => {
          expect(first[0]?.finish()).toBeFalse();
          expect(first[0]?.touch()).toBeFalse();
          expect(first[0]?.requeue()).toBeFalse();
        });
        flush();
        expect(channelStats(broker, 't', 'c')?.timedOut).toBe(2);
      });
    });

    it('uses the broker msgTimeoutMs when the consumer sets none', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts, msgTimeoutMs: 30 });
        send(broker, 't', 'm');
        expectObservable(
          broker.consume({ topic: 't', channel: 'c' }).pipe(map((d) => d.attempts)),
          '^ 39ms !',
        ).toBe('a 29ms b', { a: 1, b: 2 });
      });
    });

    it('postpones the timeout on touch', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 't', channel: 'c', msgTimeoutMs: 100 }).pipe(
          tap((d) => {
            if (d.attempts === 1) at(ts, 80, () => expect(d.touch()).toBeTrue());
            else d.finish();
          }),
          map((d) => d.attempts),
        );
        send(broker, 't', 'm');
        expectObservable(consumer, '^ 299ms !').toBe('a 179ms b', { a: 1, b: 2 });
      });
    });

    it('caps touch at maxMsgTimeoutMs after the delivery', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts, maxMsgTimeoutMs: 150, msgTimeoutMs: 100 });
        const consumer = broker.consume({ topic: 't', channel: 'c' }).pipe(
          tap((d) => {
            if (d.attempts === 1) {
              at(ts, 80, () => d.touch());
              at(ts, 140, () => expect(d.touch()).toBeTrue());
            } else d.finish();
          }),
          map((d) => d.attempts),
        );
        send(broker, 't', 'm');
        expectObservable(consumer, '^ 299ms !').toBe('a 149ms b', { a: 1, b: 2 });
      });
    });

    it('lets the first of finish/requeue win; later acks return false', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts });
        const deliveries: BrokerDelivery[] = [];
        broker.consume({ topic: 't', channel: 'c', maxInFlight: 2 }).subscribe((d) => deliveries.push(d));
        send(broker, 't', 'a', 'b');
        runDue(ts);
        const [a, b] = deliveries;
        expect(a?.finish()).toBeTrue();
        expect(a?.finish()).toBeFalse();
        expect(a?.requeue()).toBeFalse();
        expect(a?.touch()).toBeFalse();
        expect(b?.requeue(1000)).toBeTrue();
        expect(b?.requeue(1000)).toBeFalse();
        expect(b?.finish()).toBeFalse();
        expect(channelStats(broker, 't', 'c')).toEqual(
          jasmine.objectContaining({ finished: 1, requeued: 1, deferred: 1, inFlight: 0 }),
        );
        void broker.close();
      });
    });

    it('returns false for acks after the consumer unsubscribed', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts });
        const deliveries: BrokerDelivery[] = [];
        const subscription = broker
          .consume({ topic: 't', channel: 'c' })
          .subscribe((d) => deliveries.push(d));
        send(broker, 't', 'a');
        runDue(ts);
        subscription.unsubscribe();
        expect(deliveries[0]?.finish()).toBeFalse();
        expect(deliveries[0]?.touch()).toBeFalse();
        expect(deliveries[0]?.requeue()).toBeFalse();
        void broker.close();
      });
    });

    it('gives an unsubscribing consumer’s in-flight deliveries to another consumer at once', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const idle = broker.consume({ topic: 't', channel: 'c' }).pipe(map(seen)); // never acks
        const worker = broker.consume({ topic: 't', channel: 'c' }).pipe(
          tap((d) => d.finish()),
          map(seen),
        );
        at(ts, 2, () => send(broker, 't', 'm'));
        expectObservable(idle, '^ 9ms !').toBe('--x', { x: { body: 'm', attempts: 1 } });
        expectObservable(worker, '-^ 19ms !').toBe('----------y', { y: { body: 'm', attempts: 2 } });
        at(ts, 11, () =>
          expect(channelStats(broker, 't', 'c')).toEqual(jasmine.objectContaining({ requeued: 1 })),
        );
      });
    });

    it('never delivers from inside publish or finish', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts });
        const received: string[] = [];
        broker.consume({ topic: 't', channel: 'c' }).subscribe((d) => received.push(text(d)));
        runDue(ts);
        let completed = false;
        broker.publish('t', bytes('a')).subscribe({ complete: () => (completed = true) });
        expect(completed).toBeTrue();
        expect(received).toEqual([]);
        runDue(ts);
        expect(received).toEqual(['a']);
        void broker.close();
      });
    });

    it('is cold: a publish happens on subscribe', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const publish = broker.publish('t', bytes('a'));
        expect(broker.stats().topics).toEqual([]);
        expectObservable(publish).toBe('(u|)', { u: undefined });
        expectObservable(publish).toBe('(u|)', { u: undefined });
        at(ts, 1, () => expect(topicStats(broker, 't')?.depth).toBe(2));
      });
    });
  });

  describe('paused$', () => {
    const flags = { t: true, f: false };

    it('gives a paused consumer nothing: the other consumer of the channel gets every message', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = (paused$?: Observable<boolean>) =>
          broker
            .consume({ topic: 'jobs', channel: 'w', maxInFlight: 10, ...(paused$ ? { paused$ } : {}) })
            .pipe(
              tap((d) => d.finish()),
              map(seen),
            );
        at(ts, 2, () => send(broker, 'jobs', 'a', 'b', 'c'));
        // round robin would give the first consumer a and c
        expectObservable(consumer(hot('-t', flags)), '^ 9ms !').toBe('');
        expectObservable(consumer(), '^ 9ms !').toBe('--(abc)', {
          a: { body: 'a', attempts: 1 },
          b: { body: 'b', attempts: 1 },
          c: { body: 'c', attempts: 1 },
        });
        at(ts, 3, () =>
          expect(channelStats(broker, 'jobs', 'w')).toEqual(
            jasmine.objectContaining({ depth: 0, finished: 3, requeued: 0, consumers: 2 }),
          ),
        );
      });
    });

    it('keeps the messages queued while its only consumer is paused; unpausing resumes', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const paused$ = hot('-t---f---t---f', flags);
        const consumer = broker.consume({ topic: 'jobs', channel: 'w', maxInFlight: 10, paused$ }).pipe(
          tap((d) => d.finish()),
          map(text),
        );
        at(ts, 2, () => send(broker, 'jobs', 'a'));
        at(ts, 7, () => send(broker, 'jobs', 'b'));
        at(ts, 10, () => send(broker, 'jobs', 'c'));
        expectObservable(consumer, '^ 19ms !').toBe('-----a-b-----c');
        at(ts, 4, () => expect(channelStats(broker, 'jobs', 'w')?.depth).toBe(1));
        at(ts, 12, () => expect(channelStats(broker, 'jobs', 'w')?.depth).toBe(1));
      });
    });

    it('never dispatches to a consumer that starts paused, even after paused$ completes', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        send(broker, 'jobs', 'a', 'b');
        const consumer = broker
          .consume({ topic: 'jobs', channel: 'w', maxInFlight: 10, paused$: cold('(t|)', flags) })
          .pipe(map(text));
        expectObservable(consumer, '^ 9ms !').toBe('');
        at(ts, 5, () =>
          expect(channelStats(broker, 'jobs', 'w')).toEqual(
            jasmine.objectContaining({ depth: 2, inFlight: 0, consumers: 1 }),
          ),
        );
      });
    });

    it('lets a paused consumer still finish what it has in flight, and gives it nothing new', () => {
      const ts = testScheduler();
      ts.run(({ hot, expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const held: BrokerDelivery[] = [];
        const consumer = broker
          .consume({ topic: 'jobs', channel: 'w', maxInFlight: 5, paused$: hot('--t', flags) })
          .pipe(
            tap((d) => held.push(d)),
            map(text),
          );
        at(ts, 1, () => send(broker, 'jobs', 'a'));
        at(ts, 3, () => send(broker, 'jobs', 'b'));
        at(ts, 4, () => expect(held[0]?.finish()).toBeTrue());
        expectObservable(consumer, '^ 9ms !').toBe('-a');
        at(ts, 6, () =>
          expect(channelStats(broker, 'jobs', 'w')).toEqual(
            jasmine.objectContaining({ depth: 1, inFlight: 0, finished: 1 }),
          ),
        );
      });
    });

    it('errors the consumer when paused$ errors, and removes it from the channel', () => {
      const ts = testScheduler();
      ts.run(({ cold, expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 'jobs', channel: 'w#ephemeral', paused$: cold('--#') });
        expectObservable(consumer).toBe('--#');
        at(ts, 3, () => expect(topicStats(broker, 'jobs')?.channels).toEqual([]));
      });
    });
  });

  describe('onReady', () => {
    it('is called once, synchronously on subscribe, before any delivery', () => {
      const ts = testScheduler();
      ts.run(({ flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        send(broker, 't', 'a');
        const calls: string[] = [];
        broker.consume({ topic: 't', channel: 'c', onReady: () => calls.push('ready') }).subscribe((d) => {
          calls.push(text(d));
          d.finish();
        });
        expect(calls).toEqual(['ready']);
        flush();
        expect(calls).toEqual(['ready', 'a']);
      });
    });

    it('is not called for a consumer that fails; one that throws errors its consumer and removes it', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts });
        const onReady = jasmine.createSpy('onReady');
        expect(errorOf(broker.consume({ topic: 'bad topic', channel: 'c', onReady }))).toBeInstanceOf(
          InvalidNameError,
        );
        expect(onReady).not.toHaveBeenCalled();
        const thrown = new Error('boom');
        const throwing = broker.consume({
          topic: 't',
          channel: 'c#ephemeral',
          onReady: () => {
            throw thrown;
          },
        });
        expect(errorOf(throwing)).toBe(thrown);
        expect(topicStats(broker, 't')?.channels).toEqual([]);
      });
    });
  });

  describe('messages', () => {
    it('gives each message a unique 16-character id and the scheduler time of its publish', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts });
        const deliveries: BrokerDelivery[] = [];
        broker.consume({ topic: 't', channel: 'c', maxInFlight: 100 }).subscribe((d) => deliveries.push(d));
        at(ts, 7, () => send(broker, 't', ...Array.from({ length: 50 }, (_, i) => String(i))));
        at(ts, 8, () => {
          expect(deliveries.length).toBe(50);
          expect(new Set(deliveries.map((d) => d.id)).size).toBe(50);
          for (const d of deliveries) {
            expect(d.id).toMatch(/^[0-9a-f]{16}$/);
            expect(d.timestamp).toBe(7);
            expect(d.topic).toBe('t');
            expect(d.channel).toBe('c');
          }
          void broker.close();
        });
      });
    });

    it('copies the bytes: neither the publisher nor a consumer can change what others read', () => {
      const ts = testScheduler();
      ts.run(({ flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const seenA: string[] = [];
        const seenB: string[] = [];
        broker.consume({ topic: 't', channel: 'a' }).subscribe((d) => {
          seenA.push(text(d));
          d.body.fill(0x21); // '!'
          if (d.attempts === 1) d.requeue();
          else d.finish();
        });
        broker.consume({ topic: 't', channel: 'b' }).subscribe((d) => {
          seenB.push(text(d));
          d.finish();
        });
        const body = bytes('abc');
        broker.publish('t', body).subscribe();
        body.fill(0x3f); // '?'
        flush();
        expect(seenA).toEqual(['abc', 'abc']);
        expect(seenB).toEqual(['abc']);
      });
    });
  });

  describe('#ephemeral', () => {
    it('deletes an ephemeral channel with its messages when its last consumer leaves', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable, flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: 'orders', channel: 'tmp#ephemeral' }).pipe(map(text)); // never acks
        at(ts, 1, () => send(broker, 'orders', 'a', 'b', 'c'));
        expectObservable(consumer, '^ 9ms !').toBe('-a');
        expectObservable(consumer, '--^ 4ms !').toBe('--b');
        at(ts, 5, () =>
          expect(channelStats(broker, 'orders', 'tmp#ephemeral')).toEqual(
            jasmine.objectContaining({ depth: 1, inFlight: 2, consumers: 2, ephemeral: true }),
          ),
        );
        // one consumer left: the channel stays, with the delivery it gave back
        at(ts, 8, () =>
          expect(channelStats(broker, 'orders', 'tmp#ephemeral')).toEqual(
            jasmine.objectContaining({ depth: 2, inFlight: 1, consumers: 1, requeued: 1 }),
          ),
        );
        at(ts, 11, () => {
          expect(topicStats(broker, 'orders')?.channels).toEqual([]);
          expect(broker.stats()).toEqual(
            jasmine.objectContaining({ channelsDeleted: 1, discarded: 3, topicsDeleted: 0 }),
          );
        });
        // the same name later is a new, empty channel
        expectObservable(consumer, '------------^ 9ms !').toBe('');
        flush();
        expect(broker.stats().channelsDeleted).toBe(2);
      });
    });

    it('deletes an ephemeral topic when its last channel is deleted, with its deferred publishes', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable, flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = broker.consume({ topic: '_reply.n1#ephemeral', channel: 'n1#ephemeral' });
        expectObservable(consumer, '^ 9ms !').toBe('');
        broker.publishDeferred('_reply.n1#ephemeral', bytes('late'), 100).subscribe({ error: fail });
        expectObservable(broker.listTopics()).toBe('(a|)', { a: ['_reply.n1#ephemeral'] });
        at(ts, 11, () => {
          expect(broker.stats()).toEqual(
            jasmine.objectContaining({ topics: [], topicsDeleted: 1, channelsDeleted: 1, discarded: 1 }),
          );
        });
        flush();
        expect(broker.stats().topics).toEqual([]);
      });
    });

    it('keeps an ephemeral topic that still has a (non-ephemeral) channel', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable, flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        expectObservable(broker.consume({ topic: 'x#ephemeral', channel: 'durable' }), '^ 9ms !').toBe('');
        flush();
        expect(topicStats(broker, 'x#ephemeral')?.channels.map((c) => c.name)).toEqual(['durable']);
        expect(broker.stats().topicsDeleted).toBe(0);
      });
    });
  });

  describe('publishDeferred', () => {
    it('lets the message enter the topic after the delay, stamped with its publish time', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        const consumer = (name: string) =>
          broker.consume({ topic: 't', channel: name }).pipe(
            tap((d) => d.finish()),
            map((d) => `${text(d)}@${d.timestamp}`),
          );
        at(ts, 10, () => broker.publishDeferred('t', bytes('m'), 100).subscribe({ error: fail }));
        at(ts, 50, () => expect(topicStats(broker, 't')?.deferred).toBe(1));
        expectObservable(consumer('early'), '^ 199ms !').toBe('110ms x', { x: 'm@10' });
        // created during the delay, while another channel exists: still gets it
        expectObservable(consumer('during'), '50ms ^ 149ms !').toBe('110ms x', { x: 'm@10' });
      });
    });

    it('treats a delay of 0 as a plain publish', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        at(ts, 3, () => broker.publishDeferred('t', bytes('m'), 0).subscribe({ error: fail }));
        expectObservable(broker.consume({ topic: 't', channel: 'c' }).pipe(map(text)), '^ 9ms !').toBe(
          '---m',
        );
      });
    });

    it('refuses a delay outside 0..3,600,000 ms or not an integer', () => {
      const broker = memoryBroker();
      for (const delay of [-1, 3_600_001, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(publishError(broker.publishDeferred('t', bytes('m'), delay))).toBeInstanceOf(BadRequestError);
      }
      expect(publishError(broker.publishDeferred('t', bytes('m'), 3_600_000))).toBeUndefined();
      void broker.close();
    });
  });

  describe('bounds', () => {
    it('refuses a publish when a channel is full, delivering it to no channel', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts, maxQueuedPerChannel: 2 });
        const slow: BrokerDelivery[] = [];
        const other: string[] = [];
        broker.consume({ topic: 't', channel: 'slow' }).subscribe((d) => slow.push(d));
        broker.consume({ topic: 't', channel: 'fast' }).subscribe((d) => {
          other.push(text(d));
          d.finish();
        });
        send(broker, 't', 'a', 'b');
        const error = publishError(broker.publish('t', bytes('c')));
        expect(error).toBeInstanceOf(QueueFullError);
        expect(error).toEqual(
          jasmine.objectContaining({ topic: 't', channel: 'slow', queue: 'channel', limit: 2 }),
        );
        expect((error as QueueFullError).code).toBe('CAPACITY');
        runDue(ts);
        // in flight counts too: one in flight, one queued
        expect(publishError(broker.publish('t', bytes('c')))).toBeInstanceOf(QueueFullError);
        expect(slow[0]?.finish()).toBeTrue();
        expect(publishError(broker.publish('t', bytes('c')))).toBeUndefined();
        runDue(ts);
        expect(other).toEqual(['a', 'b', 'c']);
        expect(topicStats(broker, 't')?.messageCount).toBe(3);
        void broker.close();
      });
    });

    it('refuses a publish when a topic without channels is full', () => {
      const broker = memoryBroker({ maxQueuedPerTopic: 2 });
      send(broker, 't', 'a', 'b');
      expect(publishError(broker.publish('t', bytes('c')))).toEqual(
        jasmine.objectContaining({ topic: 't', channel: undefined, queue: 'topic', limit: 2 }),
      );
      void broker.close();
    });

    it('refuses a deferred publish when the topic holds maxDeferredPerTopic', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts, maxDeferredPerTopic: 1 });
        expect(publishError(broker.publishDeferred('t', bytes('a'), 10))).toBeUndefined();
        expect(publishError(broker.publishDeferred('t', bytes('b'), 10))).toEqual(
          jasmine.objectContaining({ queue: 'deferred', limit: 1 }),
        );
        expect(publishError(broker.publish('t', bytes('c')))).toBeUndefined();
      });
    });

    it('drops (and counts) what overflows an ephemeral channel, accepting the publish', () => {
      const ts = testScheduler();
      ts.run(() => {
        const broker = memoryBroker({ scheduler: ts, maxQueuedPerChannel: 2 });
        const received: string[] = [];
        broker.consume({ topic: 't', channel: 'c#ephemeral' }).subscribe((d) => received.push(text(d)));
        send(broker, 't', 'a', 'b', 'c');
        runDue(ts);
        expect(received).toEqual(['a']);
        expect(channelStats(broker, 't', 'c#ephemeral')).toEqual(
          jasmine.objectContaining({ dropped: 1, messageCount: 2, depth: 1, inFlight: 1 }),
        );
        void broker.close();
      });
    });

    it('drops (and counts) what overflows an ephemeral topic without channels', () => {
      const broker = memoryBroker({ maxQueuedPerTopic: 2 });
      send(broker, 'x#ephemeral', 'a', 'b', 'c');
      expect(topicStats(broker, 'x#ephemeral')).toEqual(
        jasmine.objectContaining({ depth: 2, dropped: 1, messageCount: 2 }),
      );
      void broker.close();
    });

    it('validates its options: a bad one is a ConfigError, as on the NSQ broker', () => {
      expect(() => memoryBroker({ maxQueuedPerChannel: 0 })).toThrowError(ConfigError);
      expect(() => memoryBroker({ maxMessageBytes: 1.5 })).toThrowError(ConfigError);
      expect(() => memoryBroker({ msgTimeoutMs: 2000, maxMsgTimeoutMs: 1000 })).toThrowError(ConfigError);
    });
  });

  describe('validation', () => {
    it('refuses invalid topic names on publish', () => {
      const broker = memoryBroker();
      for (const name of ['', 'a b', 'a/b', 'x'.repeat(65), 'a#ephemeral#ephemeral']) {
        const error = publishError(broker.publish(name, bytes('m')));
        expect(error).toBeInstanceOf(InvalidNameError);
        expect(error).toEqual(jasmine.objectContaining({ kind: 'topic', value: name }));
      }
      expect(broker.stats().topics).toEqual([]);
      void broker.close();
    });

    it('errors a consumer of an invalid topic or channel with InvalidNameError', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        expectObservable(broker.consume({ topic: 'bad topic', channel: 'c' })).toBe(
          '#',
          undefined,
          new InvalidNameError('topic', 'bad topic'),
        );
        expectObservable(broker.consume({ topic: 't', channel: '' })).toBe(
          '#',
          undefined,
          new InvalidNameError('channel', ''),
        );
      });
    });

    it('errors a consumer with a bad maxInFlight or msgTimeoutMs with a ConfigError, as the NSQ consumer does', () => {
      const broker = memoryBroker({ maxMsgTimeoutMs: 1000 });
      const consumeError = (options: Parameters<MemoryBroker['consume']>[0]): unknown =>
        errorOf(broker.consume(options));
      expect(consumeError({ topic: 't', channel: 'c', maxInFlight: 0 })).toBeInstanceOf(ConfigError);
      expect(consumeError({ topic: 't', channel: 'c', maxInFlight: 1.5 })).toBeInstanceOf(ConfigError);
      expect(consumeError({ topic: 't', channel: 'c', msgTimeoutMs: 0 })).toBeInstanceOf(ConfigError);
      expect(consumeError({ topic: 't', channel: 'c', msgTimeoutMs: 1001 })).toBeInstanceOf(ConfigError);
      expect(broker.stats().topics).toEqual([]);
      void broker.close();
    });

    it('refuses a body over maxMessageBytes, an empty body and a non-Uint8Array', () => {
      const broker = memoryBroker({ maxMessageBytes: 8 });
      expect(broker.maxMessageBytes).toBe(8);
      expect(publishError(broker.publish('t', new Uint8Array(8)))).toBeUndefined();
      const tooLarge = publishError(broker.publish('t', new Uint8Array(9)));
      expect(tooLarge).toBeInstanceOf(PayloadTooLargeError);
      expect(tooLarge).toEqual(jasmine.objectContaining({ size: 9, limit: 8 }));
      expect(publishError(broker.publishDeferred('t', new Uint8Array(9), 5))).toBeInstanceOf(
        PayloadTooLargeError,
      );
      expect(publishError(broker.publish('t', new Uint8Array(0)))).toBeInstanceOf(EmptyMessageError);
      expect(publishError(broker.publish('t', 'text' as unknown as Uint8Array))).toBeInstanceOf(
        BadRequestError,
      );
      expect(topicStats(broker, 't')?.depth).toBe(1);
      void broker.close();
    });

    it('defaults maxMessageBytes to 1 MiB', () => {
      const broker = memoryBroker();
      expect(broker.maxMessageBytes).toBe(DEFAULT_MAX_MESSAGE_BYTES);
      expect(DEFAULT_MAX_MESSAGE_BYTES).toBe(1_048_576);
      expect(publishError(broker.publish('t', new Uint8Array(1_048_577)))).toBeInstanceOf(
        PayloadTooLargeError,
      );
      void broker.close();
    });
  });

  describe('listTopics', () => {
    it('emits the current topic names once, sorted, and completes', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const broker = memoryBroker({ scheduler: ts });
        send(broker, 'b.topic', 'm');
        broker.consume({ topic: 'a.topic', channel: 'c' }).subscribe();
        broker.publishDeferred('c.topic', bytes('m'), 100).subscribe();
        expectObservable(broker.listTopics()).toBe('(x|)', { x: ['a.topic', 'b.topic', 'c.topic'] });
      });
    });
  });

  describe('close', () => {
    it('completes every consumer, replays closed, and refuses later work', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable, flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const held: BrokerDelivery[] = [];
        const consumer = broker.consume({ topic: 't', channel: 'c' }).pipe(
          tap((d) => held.push(d)),
          map(text),
        );
        expectObservable(broker.status$).toBe('r 9ms (c|)', { r: 'ready', c: 'closed' });
        expectObservable(consumer).toBe('-a 8ms |');
        at(ts, 1, () => send(broker, 't', 'a', 'b'));
        at(ts, 5, () => broker.publishDeferred('t', bytes('d'), 100).subscribe());
        at(ts, 10, () => {
          void broker.close();
          void broker.close();
        });
        flush();
        expect(held[0]?.finish()).toBeFalse();
        expect(broker.stats()).toEqual(jasmine.objectContaining({ closed: true, topics: [] }));
        expect(publishError(broker.publish('t', bytes('x')))).toBeInstanceOf(TransportClosedError);
        expect(publishError(broker.publishDeferred('t', bytes('x'), 5))).toBeInstanceOf(TransportClosedError);
        expect(errorOf(broker.consume({ topic: 't', channel: 'c' }))).toBeInstanceOf(TransportClosedError);
        expect(errorOf(broker.listTopics())).toBeInstanceOf(TransportClosedError);
        const replayed: string[] = [];
        broker.status$.subscribe({ next: (s) => replayed.push(s), complete: () => replayed.push('|') });
        expect(replayed).toEqual(['closed', '|']);
      });
    });

    it('resolves close(), every time', async () => {
      const broker = memoryBroker();
      await expectAsync(broker.close()).toBeResolved();
      await expectAsync(broker.close()).toBeResolved();
    });
  });

  describe('on the real asyncScheduler', () => {
    it('delivers, redelivers after a requeue delay, and closes', async () => {
      const broker = memoryBroker();
      const received = firstValueFrom(
        broker.consume({ topic: 't', channel: 'c' }).pipe(
          tap((d) => (d.attempts === 1 ? d.requeue(5) : d.finish())),
          map((d) => `${text(d)}:${d.attempts}`),
          take(2),
          toArray(),
        ),
      );
      broker.publish('t', bytes('m')).subscribe({ error: fail });
      expect(await received).toEqual(['m:1', 'm:2']);
      await broker.close();
    });
  });

  describe('under load', () => {
    const run = (finishAfter: (i: number) => number): void => {
      const ts = testScheduler();
      ts.run(({ flush }) => {
        const broker = memoryBroker({ scheduler: ts });
        const count = 10_000;
        const shares: string[][] = [[], [], []];
        const ids = new Set<string>();
        let n = 0;
        shares.forEach((share, k) =>
          broker.consume({ topic: 'load', channel: 'workers', maxInFlight: k + 1 }).subscribe((d) => {
            share.push(text(d));
            ids.add(d.id);
            expect(d.attempts).toBe(1);
            const delay = finishAfter(n++);
            if (delay === 0) d.finish();
            else at(ts, delay, () => expect(d.finish()).toBeTrue());
          }),
        );
        send(broker, 'load', ...Array.from({ length: count }, (_, i) => String(i)));
        flush();
        const all = shares.flat();
        expect(all.length).toBe(count);
        expect(new Set(all).size).toBe(count);
        expect(ids.size).toBe(count);
        for (const share of shares) expect(share.length).toBeGreaterThan(0);
        expect(channelStats(broker, 'load', 'workers')).toEqual(
          jasmine.objectContaining({
            messageCount: count,
            finished: count,
            depth: 0,
            inFlight: 0,
            requeued: 0,
            timedOut: 0,
          }),
        );
      });
    };

    it('takes 10,000 messages through one channel with 3 consumers, none lost, none twice', () => {
      run(() => 0);
    });

    it('does the same when consumers finish at different times', () => {
      run((i) => (i * 7919) % 13);
    });
  });
});
