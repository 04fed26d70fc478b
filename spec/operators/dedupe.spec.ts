import { lastValueFrom, map, pipe, toArray } from 'rxjs';
import { ConfigError } from '../../src/errors';
import { HeaderKey } from '../../src/constant/index.js';
import { dedupe } from '../../src/operators/dedupe.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { testDelivery, type TestDelivery } from '../../src/testing/testDelivery.js';
import type { Delivery } from '../../src/delivery/types.js';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/marbles.js';

/** A delivery of the message `contextID`, as broker message `id`. */
const message = (ts: TestScheduler, contextID: string, id = contextID, attempts = 1): TestDelivery =>
  testDelivery({ id, attempts, message: { type: 'event', contextID }, scheduler: ts });

const ids = map((d: Delivery) => d.id);

const notADelivery = (operator: string) => jasmine.objectContaining({ name: 'NotADeliveryError', operator });

describe('operators/dedupe', () => {
  it('completes at once on an empty source', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Delivery>('|');
      expectObservable(source.pipe(dedupe({ scheduler: ts }))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('lets the first delivery of a key through, unacknowledged', () => {
    const ts = testScheduler();
    const a = message(ts, 'c1');
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a }).pipe(dedupe({ scheduler: ts }), ids)).toBe('-a|', { a: 'c1' });
    });
    expect(a.acks).toEqual([]);
  });

  it('finishes and drops a repeated contextID within the ttl, letting other keys through', () => {
    const ts = testScheduler();
    const first = message(ts, 'c1', 'm1');
    const other = message(ts, 'c2', 'm2');
    const again = message(ts, 'c1', 'm3');
    const dropped: string[] = [];
    ts.run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|', { a: first, b: other, c: again });
      const deduped = source.pipe(
        dedupe({ ttl: 10, scheduler: ts, onDuplicate: (d) => dropped.push(d.id) }),
        ids,
      );
      expectObservable(deduped).toBe('a-b--|', { a: 'm1', b: 'm2' });
    });
    expect(again.acks).toEqual([{ kind: 'finish', at: 4 }]);
    expect([first.acks, other.acks]).toEqual([[], []]);
    expect(dropped).toEqual(['m3']);
  });

  it('keys by the x-idempotency-key header before the contextID, or by the key option', () => {
    const ts = testScheduler();
    const keyed = (contextID: string, key: string): TestDelivery =>
      testDelivery({
        id: contextID,
        message: { type: 'event', contextID, header: { [HeaderKey.IDEMPOTENCY_KEY]: key } },
      });
    const byOrder = (id: string, orderId: number): TestDelivery => testDelivery({ id, body: { orderId } });
    ts.run(({ cold, expectObservable }) => {
      const headers = cold('abc|', { a: keyed('c1', 'k1'), b: keyed('c2', 'k1'), c: keyed('c3', 'k2') });
      expectObservable(headers.pipe(dedupe({ scheduler: ts }), ids)).toBe('a-c|', { a: 'c1', c: 'c3' });
      const bodies = cold('abc|', { a: byOrder('x', 1), b: byOrder('y', 2), c: byOrder('z', 1) });
      const key = (d: Delivery): string => String(d.message.body?.['orderId']);
      expectObservable(bodies.pipe(dedupe({ key, scheduler: ts }), ids)).toBe('ab-|', { a: 'x', b: 'y' });
    });
  });

  it('lets every delivery through whose key is undefined', () => {
    const ts = testScheduler();
    const [a, b] = [message(ts, 'c1', 'm1'), message(ts, 'c1', 'm2')];
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a, b }).pipe(dedupe({ key: () => undefined, scheduler: ts }), ids)).toBe(
        'ab|',
        { a: 'm1', b: 'm2' },
      );
    });
  });

  it('forgets a key ttl after its first delivery, on the injected scheduler', () => {
    const ts = testScheduler();
    const deliveries = { a: message(ts, 'k', 'm1'), b: message(ts, 'k', 'm2'), c: message(ts, 'k', 'm3') };
    ts.run(({ cold, expectObservable }) => {
      // 'm2' at 4 is within the ttl of 'm1' (seen at 0, forgotten at 5); 'm3' at 5 is not
      const source = cold('a---bc|', deliveries);
      expectObservable(source.pipe(dedupe({ ttl: 5, scheduler: ts }), ids)).toBe('a----c|', {
        a: 'm1',
        c: 'm3',
      });
    });
    expect(deliveries.b.acks).toEqual([{ kind: 'finish', at: 4 }]);
  });

  it('remembers at most max keys, forgetting the oldest first', () => {
    const ts = testScheduler();
    const values = {
      a: message(ts, 'k1', 'm1'),
      b: message(ts, 'k2', 'm2'),
      c: message(ts, 'k3', 'm3'),
      d: message(ts, 'k1', 'm4'),
      e: message(ts, 'k3', 'm5'),
    };
    ts.run(({ cold, expectObservable }) => {
      const deduped = cold('abcde|', values).pipe(dedupe({ max: 2, scheduler: ts }), ids);
      expectObservable(deduped).toBe('abcd-|', { a: 'm1', b: 'm2', c: 'm3', d: 'm4' });
    });
  });

  it('keeps the keys of each subscription apart', () => {
    const ts = testScheduler();
    const a = message(ts, 'k', 'm1');
    ts.run(({ cold, expectObservable }) => {
      const deduped = cold('a|', { a }).pipe(dedupe({ scheduler: ts }), ids);
      expectObservable(deduped).toBe('a|', { a: 'm1' });
      expectObservable(deduped).toBe('a|', { a: 'm1' });
    });
  });

  for (const [where, pipeline] of [
    [
      'behind',
      (ts: TestScheduler) =>
        pipe(
          retryWithBackoff<Delivery>({ initialDelayMs: 10, jitter: 0 }),
          dedupe<Delivery>({ scheduler: ts }),
        ),
    ],
    [
      'in front of',
      (ts: TestScheduler) =>
        pipe(
          dedupe<Delivery>({ scheduler: ts }),
          retryWithBackoff<Delivery>({ initialDelayMs: 10, jitter: 0 }),
        ),
    ],
  ] as const) {
    it(`lets the retry of a requeued delivery through, ${where} retryWithBackoff`, async () => {
      const ts = testScheduler();
      const first = message(ts, 'k', 'm1', 1);
      const retry = message(ts, 'k', 'm1', 2);
      const republished = message(ts, 'k', 'm2', 1);
      let handled: Promise<string[]> | undefined;
      ts.run(({ cold }) => {
        let calls = 0;
        handled = lastValueFrom(
          cold('a-b-c|', { a: first, b: retry, c: republished }).pipe(
            pipeline(ts),
            handleDeliveries(() => {
              calls += 1;
              if (calls === 1) throw new Error('db down');
            }),
            map(({ delivery, outcome }) => `${delivery.id}@${delivery.attempts}:${outcome}`),
            toArray(),
          ),
        );
      });
      expect([first.acks, retry.acks, republished.acks]).toEqual([
        [{ kind: 'requeue', delayMs: 10, at: 0 }],
        [{ kind: 'finish', at: 2 }],
        [{ kind: 'finish', at: 4 }],
      ]);
      expect((await handled)?.sort()).toEqual(['m1@1:requeued', 'm1@2:finished']);
    });
  }

  describe('a redelivery of the same message while the first is still being handled', () => {
    it('is held, then finished when the first is finished', () => {
      const ts = testScheduler();
      const first = message(ts, 'k', 'm1', 1);
      const redelivery = message(ts, 'k', 'm1', 2);
      const dropped: string[] = [];
      ts.run(({ cold, expectObservable }) => {
        const deduped = cold('a-b|', { a: first, b: redelivery }).pipe(
          dedupe({ scheduler: ts, onDuplicate: (d) => dropped.push(`${d.id}@${d.attempts}`) }),
          ids,
        );
        expectObservable(deduped).toBe('a--|', { a: 'm1' });
        ts.schedule(() => first.finish(), 5);
      });
      expect(first.acks).toEqual([{ kind: 'finish', at: 5 }]);
      // not at 2, when it came: the first might still fail
      expect(redelivery.acks).toEqual([{ kind: 'finish', at: 5 }]);
      expect(dropped).toEqual(['m1@2']);
    });

    it('is let through in its place when the first is requeued (nothing is lost)', () => {
      const ts = testScheduler();
      const first = message(ts, 'k', 'm1', 1);
      const redelivery = message(ts, 'k', 'm1', 2);
      const later = message(ts, 'k', 'm2', 1);
      ts.run(({ cold, expectObservable }) => {
        const deduped = cold('a-b-----c|', { a: first, b: redelivery, c: later }).pipe(
          dedupe({ scheduler: ts }),
          map((d) => `${d.id}@${d.attempts}`),
        );
        expectObservable(deduped).toBe('a----b---|', { a: 'm1@1', b: 'm1@2' });
        ts.schedule(() => first.requeue(0), 5);
      });
      expect(redelivery.acks).toEqual([]);
      // a re-publish of the key is still a duplicate
      expect(later.acks).toEqual([{ kind: 'finish', at: 8 }]);
    });

    it('drops another message of the key at once (its original is still in the broker)', () => {
      const ts = testScheduler();
      const first = message(ts, 'k', 'm1', 1);
      const republished = message(ts, 'k', 'm2', 1);
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('a-b|', { a: first, b: republished }).pipe(dedupe({ scheduler: ts }), ids),
        ).toBe('a--|', { a: 'm1' });
      });
      expect(republished.acks).toEqual([{ kind: 'finish', at: 2 }]);
    });

    it('is left unacknowledged when the stream was unsubscribed before the first settled', () => {
      const ts = testScheduler();
      const first = message(ts, 'k', 'm1', 1);
      const redelivery = message(ts, 'k', 'm1', 2);
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('a-b---', { a: first, b: redelivery }).pipe(dedupe({ scheduler: ts }), ids),
          '^--!',
        ).toBe('a--', { a: 'm1' });
        ts.schedule(() => first.requeue(0), 5);
      });
      expect(redelivery.acks).toEqual([]);
    });
  });

  it('propagates an error of the source', () => {
    const ts = testScheduler();
    const a = message(ts, 'c1');
    ts.run(({ cold, expectObservable }) => {
      const source = cold('a-#', { a }, new Error('source down'));
      expectObservable(source.pipe(dedupe({ scheduler: ts }), ids)).toBe(
        'a-#',
        { a: 'c1' },
        new Error('source down'),
      );
    });
  });

  it('stays open on a never-ending source', () => {
    const ts = testScheduler();
    const a = message(ts, 'c1');
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--', { a });
      expectObservable(source.pipe(dedupe({ scheduler: ts }), ids)).toBe('a--', { a: 'c1' });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('ends its source subscription on early unsubscribe', () => {
    const ts = testScheduler();
    const values = { a: message(ts, 'k', 'm1'), b: message(ts, 'k', 'm2'), c: message(ts, 'k', 'm3') };
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c-|', values);
      expectObservable(source.pipe(dedupe({ scheduler: ts }), ids), '^--!').toBe('a--', { a: 'm1' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect([values.b.acks.length, values.c.acks.length]).toEqual([1, 0]);
  });

  it('errors the stream when its key function throws, leaving the delivery unacknowledged', () => {
    const ts = testScheduler();
    const a = message(ts, 'c1');
    const key = (): string => {
      throw new Error('bad key');
    };
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a }).pipe(dedupe({ key, scheduler: ts }))).toBe(
        '-#',
        undefined,
        new Error('bad key'),
      );
    });
    expect(a.acks).toEqual([]);
  });

  it('errors the stream when onDuplicate throws, the duplicate already finished', () => {
    const ts = testScheduler();
    const [a, b] = [message(ts, 'k', 'm1'), message(ts, 'k', 'm2')];
    const onDuplicate = (): void => {
      throw new Error('metrics down');
    };
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('ab|', { a, b }).pipe(dedupe({ onDuplicate, scheduler: ts }), ids)).toBe(
        'a#',
        { a: 'm1' },
        new Error('metrics down'),
      );
    });
    expect(b.acks).toEqual([{ kind: 'finish', at: 1 }]);
  });

  it('errors the stream with NotADeliveryError on a spread copy of a delivery', () => {
    const ts = testScheduler();
    const copy = { ...message(ts, 'c1') } as Delivery;
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a|', { a: copy });
      expectObservable(source.pipe(dedupe({ scheduler: ts }))).toBe('-#', undefined, notADelivery('dedupe'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('throws a ConfigError when made with a bad ttl or max', () => {
    for (const ttl of [-1, Number.NaN]) expect(() => dedupe({ ttl })).toThrowError(ConfigError);
    for (const max of [0, 1.5, Number.NaN]) expect(() => dedupe({ max })).toThrowError(ConfigError);
    expect(() => dedupe({ ttl: 0, max: 1 })).not.toThrow();
  });
});
