/**
 * Operator fusion: a step operator alone, and pipes fused by fuseDeliveries
 * behaving exactly as the same operators piped one by one.
 */
import * as t from 'io-ts';
import { map, tap, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import type { TestScheduler } from 'rxjs/testing';
import type { Delivery } from '../../src/delivery/types.js';
import { fuseDeliveries, stepOperator } from '../../src/operators/fuse.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { validate } from '../../src/operators/validate.js';
import { testDelivery, type TestDelivery } from '../../src/testing/testDelivery.js';
import { testScheduler } from '../helpers/marbles.js';

const delivery = (ts: TestScheduler, id: string, body: Record<string, unknown> = {}): TestDelivery =>
  testDelivery({ id, topic: 'orders', body: body as never, scheduler: ts });

const ids = map((d: Delivery) => d.id);

/** A step that marks what it saw in `seen`, and takes out deliveries whose id starts with `drop`. */
const marking =
  (seen: string[], name: string) =>
  (d: Delivery): Delivery | undefined => {
    seen.push(`${name} ${d.id}`);
    return d.id.startsWith('drop') ? undefined : d.withContext({ [name]: true });
  };

const Order = t.type({ n: t.number });

describe('operators/fuse', () => {
  describe('stepOperator', () => {
    it('completes at once on an empty source', () => {
      testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold<Delivery>('|');
        expectObservable(source.pipe(stepOperator((d) => d))).toBe('|');
        expectSubscriptions(source.subscriptions).toBe('(^!)');
      });
    });

    it('passes on what the step gives, one or many, and nothing for a delivery it takes out', () => {
      const ts = testScheduler();
      const seen: string[] = [];
      const [a, drop, c] = ['a', 'drop', 'c'].map((id) => delivery(ts, id)) as [
        TestDelivery,
        TestDelivery,
        TestDelivery,
      ];
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('a-b-c|', { a, b: drop, c }).pipe(
            stepOperator(marking(seen, 'x')),
            map((d) => `${d.id} ${String(d.context['x'])}`),
          ),
        ).toBe('a---c|', { a: 'a true', c: 'c true' });
      });
      expect(seen).toEqual(['x a', 'x drop', 'x c']);
    });

    it('passes an error of the source on, and never ends when the source does not', () => {
      const ts = testScheduler();
      const a = delivery(ts, 'a');
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('-a-#', { a }).pipe(
            stepOperator((d) => d),
            ids,
          ),
        ).toBe('-a-#', { a: 'a' });
        expectObservable(
          cold('-a--', { a }).pipe(
            stepOperator((d) => d),
            ids,
          ),
        ).toBe('-a--', { a: 'a' });
      });
    });

    it('unsubscribes from the source when unsubscribed early', () => {
      const ts = testScheduler();
      const a = delivery(ts, 'a');
      ts.run(({ cold, expectObservable, expectSubscriptions }) => {
        const source = cold('-a-a-a|', { a });
        expectObservable(
          source.pipe(
            stepOperator((d) => d),
            ids,
          ),
          '^--!',
        ).toBe('-a--', { a: 'a' });
        expectSubscriptions(source.subscriptions).toBe('^--!');
      });
    });

    it('errors the stream when the step throws, as map does', () => {
      const ts = testScheduler();
      const a = delivery(ts, 'a');
      const b = delivery(ts, 'b');
      const boom = new Error('boom');
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('ab|', { a, b }).pipe(
            stepOperator((d) => {
              if (d.id === 'b') throw boom;
              return d;
            }),
            ids,
          ),
        ).toBe('a#', { a: 'a' }, boom);
      });
    });
  });

  describe('fuseDeliveries', () => {
    it('runs the steps before a handler in its subscriber, with the same outcomes as one by one', () => {
      // the same operators, piped one by one and fused: what each emits, the acknowledgements, the order of effects
      const run = (fused: boolean): { acks: unknown[]; seen: string[] } => {
        const ts = testScheduler();
        const seen: string[] = [];
        const ds: [TestDelivery, TestDelivery, TestDelivery, TestDelivery] = [
          delivery(ts, 'ok', { n: 1 }),
          delivery(ts, 'bad', { n: 'one' }),
          delivery(ts, 'drop', { n: 2 }),
          delivery(ts, 'throws', { n: 3 }),
        ];
        ts.run(({ cold, expectObservable }) => {
          const steps = [
            stepOperator(marking(seen, 'first')),
            validate(Order) as MonoTypeOperatorFunction<Delivery>,
          ];
          const handle = handleDeliveries((d) => {
            seen.push(`handler ${d.id} ${JSON.stringify(d.input)} ${String(d.context['first'])}`);
            if (d.id === 'throws') throw new Error('handler failed');
          });
          const source: Observable<Delivery> = cold('abcd|', { a: ds[0], b: ds[1], c: ds[2], d: ds[3] });
          const piped = fused
            ? source.pipe(fuseDeliveries(steps, handle))
            : steps.reduce((stream, step) => stream.pipe(step), source).pipe(handle);
          // a failed handler's outcome comes once its failure handlers settled (a promise: after virtual time)
          expectObservable(piped.pipe(map((h) => `${h.delivery.id} ${h.outcome}`))).toBe('a', {
            a: 'ok finished',
          });
        });
        return { acks: ds.map((d) => d.acks.map((ack) => ack.kind)), seen };
      };
      const one = run(false);
      const fused = run(true);
      expect(fused.acks).toEqual(one.acks);
      expect(fused.seen).toEqual(one.seen);
      expect(fused.acks).toEqual([['finish'], ['requeue'], [], ['requeue']]);
      expect(fused.seen).toEqual([
        'first ok',
        'handler ok {"n":1} true',
        'first bad',
        'first drop',
        'first throws',
        'handler throws {"n":3} true',
      ]);
    });

    it('keeps an operator that is not a step in its place, fusing the steps on each side of it', () => {
      const ts = testScheduler();
      const seen: string[] = [];
      const a = delivery(ts, 'a');
      const user = tap((d: Delivery) => seen.push(`user ${d.id} ${String(d.context['one'])}`));
      ts.run(({ cold, expectObservable }) => {
        const handle = handleDeliveries((d) => void seen.push(`handler ${d.id} ${String(d.context['two'])}`));
        expectObservable(
          cold('a|', { a }).pipe(
            fuseDeliveries(
              [stepOperator(marking(seen, 'one')), user, stepOperator(marking(seen, 'two'))],
              handle,
            ),
            map((h) => h.outcome),
          ),
        ).toBe('a|', { a: 'finished' });
      });
      expect(seen).toEqual(['one a', 'user a true', 'two a', 'handler a true']);
    });

    it('errors the stream when a fused step throws, as the step operator alone does', () => {
      const ts = testScheduler();
      const a = delivery(ts, 'a');
      const b = delivery(ts, 'b');
      const boom = new Error('boom');
      ts.run(({ cold, expectObservable }) => {
        const step = stepOperator((d) => {
          if (d.id === 'b') throw boom;
          return d;
        });
        expectObservable(
          cold('a-b-a|', { a, b }).pipe(
            fuseDeliveries(
              [step],
              handleDeliveries(() => undefined),
            ),
            map((h) => h.delivery.id),
          ),
        ).toBe('a-#', { a: 'a' }, boom);
      });
      expect(b.acks).toEqual([]);
    });

    it('pipes trailing steps as one operator before a last operator that takes no step', () => {
      const ts = testScheduler();
      const seen: string[] = [];
      const [a, drop] = ['a', 'drop'].map((id) => delivery(ts, id)) as [TestDelivery, TestDelivery];
      ts.run(({ cold, expectObservable }) => {
        expectObservable(
          cold('ab|', { a, b: drop }).pipe(
            fuseDeliveries([stepOperator(marking(seen, 'one')), stepOperator(marking(seen, 'two'))], ids),
          ),
        ).toBe('a-|', { a: 'a' });
      });
      expect(seen).toEqual(['one a', 'two a', 'one drop']);
    });

    it('is the last operator alone when there is nothing before it', () => {
      const ts = testScheduler();
      const a = delivery(ts, 'a');
      ts.run(({ cold, expectObservable }) => {
        expectObservable(cold('-a|', { a }).pipe(fuseDeliveries([], ids))).toBe('-a|', { a: 'a' });
      });
    });
  });
});
