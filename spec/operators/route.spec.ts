import { lastValueFrom, map, of, toArray } from 'rxjs';
import type { Message } from '../../src/codec/message.js';
import { HeaderKey } from '../../src/constant/index.js';
import { NotFoundError } from '../../src/errors.js';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { route, type RouteTable } from '../../src/operators/route.js';
import { wrapHandlers } from '../../src/operators/wrapHandlers.js';
import { onPanic } from '../../src/recover/panicHook.js';
import type { PanicReport } from '../../src/recover/types.js';
import { testDelivery, type TestDelivery } from '../../src/testing/testDelivery.js';
import type { Delivery, DeliveryHandler, FailHandler } from '../../src/delivery/types.js';
import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/marbles.js';

/** A request for `action` (its `node`), as broker message `id`. */
const request = (ts: TestScheduler, id: string, action?: string, topic = 'orders'): TestDelivery =>
  testDelivery({
    id,
    topic,
    message: { type: 'request', contextID: id, ...(action === undefined ? {} : { node: action }) },
    scheduler: ts,
  });

/** What became of each delivery, as `<id>:<outcome>`. */
const outcomes = map(
  ({ delivery, outcome }: { delivery: Delivery; outcome: string }) => `${delivery.id}:${outcome}`,
);

describe('operators/route', () => {
  let reports: PanicReport[];
  let stop: () => void;
  beforeEach(() => {
    reports = [];
    stop = onPanic((r) => reports.push(r));
  });
  afterEach(() => stop());

  const handled: string[] = [];
  beforeEach(() => (handled.length = 0));
  const handler =
    (name: string): DeliveryHandler =>
    (d) =>
      void handled.push(`${name}:${d.id}`);

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Delivery>('|');
      expectObservable(source.pipe(route({}))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('runs the handler of the action of one delivery and finishes it', () => {
    const ts = testScheduler();
    const a = request(ts, 'a', 'orders.create');
    ts.run(({ cold, expectObservable }) => {
      const routed = cold('-a|', { a }).pipe(route({ 'orders.create': handler('create') }), outcomes);
      expectObservable(routed).toBe('-a|', { a: 'a:finished' });
    });
    expect(handled).toEqual(['create:a']);
    expect(a.acks).toEqual([{ kind: 'finish', at: 1 }]);
  });

  it('dispatches many by action, else by topic, waiting for an Observable handler', () => {
    const ts = testScheduler();
    const values = {
      a: request(ts, 'a', 'orders.create'),
      b: request(ts, 'b', 'orders.cancel'),
      c: request(ts, 'c', undefined, 'orders.audit'),
    };
    ts.run(({ cold, expectObservable }) => {
      const table: RouteTable = {
        'orders.create': handler('create'),
        'orders.cancel': (d) => cold('---|').pipe(map(() => handled.push(`cancel:${d.id}`))),
        'orders.audit': handler('audit'),
      };
      expectObservable(cold('a-b-c|', values).pipe(route(table), outcomes)).toBe('a---c(b|)', {
        a: 'a:finished',
        b: 'b:finished',
        c: 'c:finished',
      });
    });
    expect(handled).toEqual(['create:a', 'audit:c']);
    expect(values.b.acks).toEqual([{ kind: 'finish', at: 5 }]);
  });

  it('routes by the key option, looking a Map up when each delivery arrives', () => {
    const ts = testScheduler();
    const values = { a: request(ts, 'a', 'x', 'orders'), b: request(ts, 'b', 'x', 'orders') };
    const table = new Map<string, DeliveryHandler>();
    ts.run(({ cold, expectObservable }) => {
      const routed = cold('a-b|', values).pipe(
        route(table, { key: (d) => d.topic, onNotFound: handler('none') }),
      );
      ts.schedule(() => table.set('orders', handler('orders')), 1);
      expectObservable(routed.pipe(outcomes)).toBe('a-b|', { a: 'a:finished', b: 'b:finished' });
    });
    expect(handled).toEqual(['none:a', 'orders:b']);
  });

  it('sends a delivery no entry matches to onNotFound, never to an inherited property', () => {
    const ts = testScheduler();
    const a = request(ts, 'a', 'toString');
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a }).pipe(route({}, { onNotFound: handler('none') }), outcomes)).toBe(
        'a|',
        {
          a: 'a:finished',
        },
      );
    });
    expect(handled).toEqual(['none:a']);
  });

  it('by default fails an unmatched delivery with a NotFoundError, which is dead-lettered at once', () => {
    const ts = testScheduler();
    const a = request(ts, 'a', 'orders.unknown');
    const letters: Message[] = [];
    const errors: unknown[] = [];
    const record: FailHandler = (failure, next) => (errors.push(failure.error), next(failure.error));
    ts.run(({ cold }) => {
      cold('-a|', { a })
        .pipe(
          deadLetter({ publish: (_topic, letter) => of(letters.push(letter)) }),
          retryWithBackoff({ maxAttempts: 5 }),
          map((d) => d.withFailHandler(record)),
          route({}),
        )
        .subscribe();
    });
    expect(errors).toEqual([jasmine.any(NotFoundError)]);
    expect(errors[0]).toEqual(jasmine.objectContaining({ key: 'orders.unknown' }));
    expect(a.acks).toEqual([{ kind: 'finish', at: 1 }]);
    expect(letters.map((l) => l.header?.[HeaderKey.ERROR])).toEqual(['not found: orders.unknown']);
  });

  it('fails a delivery whose handler throws, going on with the next', async () => {
    const ts = testScheduler();
    const boom = new Error('db down');
    const values = { a: request(ts, 'a', 'fail'), b: request(ts, 'b', 'ok') };
    let routed: Promise<string[]> | undefined;
    ts.run(({ cold }) => {
      const table: RouteTable = {
        fail: () => {
          throw boom;
        },
        ok: handler('ok'),
      };
      routed = lastValueFrom(cold('a-b|', values).pipe(route(table), outcomes, toArray()));
    });
    expect(values.a.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 0 }]);
    expect((await routed)?.sort()).toEqual(['a:requeued', 'b:finished']);
    expect(reports).toEqual([]);
  });

  it('fails a delivery whose key function throws', async () => {
    const ts = testScheduler();
    const a = request(ts, 'a', 'x');
    const key = (): string => {
      throw new Error('bad key');
    };
    let routed: Promise<string[]> | undefined;
    ts.run(({ cold }) => {
      routed = lastValueFrom(
        cold('a|', { a }).pipe(route({ x: handler('x') }, { key }), outcomes, toArray()),
      );
    });
    expect(a.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 0 }]);
    expect(await routed).toEqual(['a:requeued']);
  });

  it('runs the handler inside the wrappers of the delivery', () => {
    const ts = testScheduler();
    const a = request(ts, 'a', 'x');
    const order: string[] = [];
    ts.run(({ cold, expectObservable }) => {
      const routed = cold('a|', { a }).pipe(
        wrapHandlers((next) => (d) => (order.push('wrapper'), next(d))),
        route({ x: () => void order.push('handler') }),
        outcomes,
      );
      expectObservable(routed).toBe('a|', { a: 'a:finished' });
    });
    expect(order).toEqual(['wrapper', 'handler']);
  });

  it('propagates an error of the source', () => {
    const ts = testScheduler();
    const a = request(ts, 'a', 'x');
    ts.run(({ cold, expectObservable }) => {
      const source = cold('a-#', { a }, new Error('source down'));
      expectObservable(source.pipe(route({ x: handler('x') }), outcomes)).toBe(
        'a-#',
        { a: 'a:finished' },
        new Error('source down'),
      );
    });
  });

  it('stays open on a never-ending source', () => {
    const ts = testScheduler();
    const a = request(ts, 'a', 'x');
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--', { a });
      expectObservable(source.pipe(route({ x: handler('x') }), outcomes)).toBe('a--', { a: 'a:finished' });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('stops running handlers on early unsubscribe, leaving their deliveries unacknowledged', () => {
    const ts = testScheduler();
    const values = { a: request(ts, 'a', 'slow'), b: request(ts, 'b', 'x') };
    ts.run(({ hot, cold, expectObservable, expectSubscriptions }) => {
      const source = hot('a---b-|', values);
      const routed = source.pipe(route({ slow: () => cold('-----|'), x: handler('x') }), outcomes);
      expectObservable(routed, '^--!').toBe('---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect([values.a.acks, values.b.acks]).toEqual([[], []]);
  });

  it('errors the stream with NotADeliveryError on a spread copy of a delivery', () => {
    const copy = { ...testDelivery() } as Delivery;
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a: copy }).pipe(route({}))).toBe(
        '-#',
        undefined,
        jasmine.objectContaining({ name: 'NotADeliveryError' }),
      );
    });
  });

  it('throws a TypeError when made without a table', () => {
    expect(() => route(undefined as unknown as RouteTable)).toThrowError(TypeError);
    expect(() => route(null as unknown as RouteTable)).toThrowError(TypeError);
  });
});
