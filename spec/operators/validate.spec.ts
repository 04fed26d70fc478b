import * as t from 'io-ts';
import { map, of } from 'rxjs';
import type { Message } from '../../src/codec/message.js';
import { HeaderKey } from '../../src/constant/index.js';
import { ValidationError } from '../../src/errors.js';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { validate } from '../../src/operators/validate.js';
import { testDelivery, type TestDelivery } from '../../src/testing/testDelivery.js';
import type { Delivery, FailHandler } from '../../src/delivery/types.js';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/marbles.js';

/** Extra fields are stripped: `input` is the decoded value, not the body. */
const Order = t.exact(t.type({ id: t.number, items: t.array(t.string) }));

const order = (ts: TestScheduler, id: string, body: Record<string, unknown>): TestDelivery =>
  testDelivery({ id, topic: 'orders', body: body as never, scheduler: ts });

const inputs = map((d: Delivery<unknown>) => d.input);

const notADelivery = (operator: string) => jasmine.objectContaining({ name: 'NotADeliveryError', operator });

describe('operators/validate', () => {
  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Delivery>('|');
      expectObservable(source.pipe(validate(Order))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('passes one valid delivery on, carrying the decoded body as input', () => {
    const ts = testScheduler();
    const a = order(ts, 'a', { id: 1, items: ['x'], note: 'stripped' });
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a }).pipe(validate(Order), inputs)).toBe('-a|', {
        a: { id: 1, items: ['x'] },
      });
    });
    expect(a.acks).toEqual([]);
  });

  it('passes many valid deliveries on and fails each invalid one, which goes no further', () => {
    const ts = testScheduler();
    const a = order(ts, 'a', { id: 1, items: [] });
    const bad = order(ts, 'bad', { id: 'two' });
    const c = order(ts, 'c', { id: 3, items: ['y'] });
    ts.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('a-b-c|', { a, b: bad, c }).pipe(
          validate(Order),
          map((d) => d.id),
        ),
      ).toBe('a---c|', {
        a: 'a',
        c: 'c',
      });
    });
    // no failure handlers on a test delivery: failed means requeued at once, at its frame
    expect(bad.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 2 }]);
    expect([a.acks, c.acks]).toEqual([[], []]);
  });

  it('fails with a ValidationError listing every failing field, in order', () => {
    const ts = testScheduler();
    const bad = order(ts, 'bad', { id: 'two', items: [1, 'ok', 3] });
    const seen: unknown[] = [];
    const record: FailHandler = (failure) => (
      seen.push(failure.error),
      failure.finish() ? 'finished' : 'ignored'
    );
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a: bad.withFailHandler(record) }).pipe(validate(Order))).toBe('-|');
    });
    const [error] = seen;
    expect(error).toBeInstanceOf(ValidationError);
    expect((error as ValidationError).issues.map((i) => [i.path, i.expected])).toEqual([
      ['id', 'number'],
      ['items.0', 'string'],
      ['items.2', 'string'],
    ]);
    expect((error as ValidationError).message).toContain('body of orders');
  });

  it('dead-letters an invalid body at once behind retryWithBackoff: a ValidationError is not retried', () => {
    const ts = testScheduler();
    const bad = order(ts, 'bad', {});
    const letters: Message[] = [];
    ts.run(({ cold, expectObservable }) => {
      const source = cold('-a|', { a: bad }).pipe(
        deadLetter({ publish: (_topic, letter) => of(letters.push(letter)) }),
        retryWithBackoff({ maxAttempts: 5 }),
        validate(Order),
      );
      expectObservable(source).toBe('--|');
    });
    expect(bad.acks).toEqual([{ kind: 'finish', at: 1 }]);
    expect(letters.map((l) => l.header?.[HeaderKey.ERROR])).toEqual([
      jasmine.stringMatching(/^invalid body of orders/),
    ]);
  });

  it('propagates an error of the source', () => {
    const ts = testScheduler();
    const a = order(ts, 'a', { id: 1, items: [] });
    ts.run(({ cold, expectObservable }) => {
      const source = cold('a-#', { a }, new Error('source down'));
      expectObservable(
        source.pipe(
          validate(Order),
          map((d) => d.id),
        ),
      ).toBe('a-#', { a: 'a' }, new Error('source down'));
    });
  });

  it('stays open on a never-ending source', () => {
    const ts = testScheduler();
    const a = order(ts, 'a', { id: 1, items: [] });
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--', { a });
      expectObservable(
        source.pipe(
          validate(Order),
          map((d) => d.id),
        ),
      ).toBe('a--', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('ends its source subscription on early unsubscribe, validating nothing after', () => {
    const ts = testScheduler();
    const values = { a: order(ts, 'a', { id: 1, items: [] }), b: order(ts, 'b', {}) };
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a---b-|', values);
      expectObservable(
        source.pipe(
          validate(Order),
          map((d) => d.id),
        ),
        '^--!',
      ).toBe('a', { a: 'a' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(values.b.acks).toEqual([]);
  });

  it('fails the delivery when the codec throws, and goes on with the next', () => {
    const ts = testScheduler();
    const a = order(ts, 'a', { boom: true });
    const b = order(ts, 'b', { id: 2, items: [] });
    const Exploding = new t.Type<{ id: number; items: string[] }>(
      'Exploding',
      (u): u is { id: number; items: string[] } => Order.is(u),
      (u, c) => {
        if (typeof u === 'object' && u !== null && 'boom' in u) throw new Error('codec exploded');
        return Order.validate(u, c);
      },
      (value) => value,
    );
    ts.run(({ cold, expectObservable }) => {
      expectObservable(
        cold('-a-b|', { a, b }).pipe(
          validate(Exploding),
          map((d) => d.id),
        ),
      ).toBe('---b|', { b: 'b' });
    });
    // no failure handler attached: a failed delivery is requeued at once, in the frame it failed
    expect(a.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 1 }]);
    expect(b.acks).toEqual([]);
  });

  it('errors the stream with NotADeliveryError on a spread copy of a delivery', () => {
    const copy = { ...testDelivery() } as Delivery;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a|', { a: copy });
      expectObservable(source.pipe(validate(Order))).toBe('-#', undefined, notADelivery('validate'));
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('throws a TypeError when made without a codec', () => {
    expect(() => validate(undefined as unknown as t.Decoder<unknown, unknown>)).toThrowError(TypeError);
    expect(() => validate({} as t.Decoder<unknown, unknown>)).toThrowError(TypeError);
  });
  describe('with a codec per delivery', () => {
    it('checks each delivery by the codec its lookup gives, and passes those it gives none for', () => {
      const ts = testScheduler();
      const a = order(ts, 'a', { id: 1, items: [] });
      const bad = order(ts, 'bad', { id: 'two' });
      const free = order(ts, 'free', { anything: true });
      const codecs: Record<string, typeof Order> = { a: Order, bad: Order };
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('a-b-c|', { a, b: bad, c: free }).pipe(
            validate((d) => codecs[d.id]),
            map((d) => [d.id, d.input]),
          ),
        ).toBe('a---c|', { a: ['a', { id: 1, items: [] }], c: ['free', undefined] });
      });
      expect(bad.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 2 }]);
    });

    it('fails the delivery whose lookup throws, and goes on with the next', () => {
      const ts = testScheduler();
      const a = order(ts, 'a', { id: 1, items: [] });
      const b = order(ts, 'b', { id: 2, items: [] });
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('a-b|', { a, b }).pipe(
            validate((d) => {
              if (d.id === 'a') throw new Error('lookup failed');
              return Order;
            }),
            map((d) => d.id),
          ),
        ).toBe('--b|', { b: 'b' });
      });
      expect(a.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 0 }]);
      expect(b.acks).toEqual([]);
    });
  });
});
