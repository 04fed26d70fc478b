import { lastValueFrom, map, toArray, type Subscription } from 'rxjs';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { wrapHandlers } from '../../src/operators/wrapHandlers.js';
import { testDelivery } from '../../src/testing/testDelivery.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import { handlerMiddleware, operatorMiddleware } from '../../src/transport/middleware.js';
import type { Transport } from '../../src/transport/types.js';
import type { Delivery, DeliveryHandler, HandlerWrapper } from '../../src/delivery/types.js';
import { testScheduler } from '../helpers/marbles.js';

/** A wrapper that logs `name>` before its handler and `<name` after. */
const around =
  (order: string[], name: string): HandlerWrapper =>
  (next) =>
  (delivery) => {
    order.push(`${name}>`);
    const result = next(delivery);
    order.push(`<${name}`);
    return result;
  };

/** A handler that logs `handler:<id>`. */
const logging =
  (order: string[]): DeliveryHandler =>
  (delivery) =>
    void order.push(`handler:${delivery.id}`);

/** What handleDeliveries made of each delivery, as `<id>:<outcome>`. */
const outcomes = map(
  ({ delivery, outcome }: { delivery: Delivery; outcome: string }) => `${delivery.id}:${outcome}`,
);

const notADelivery = (operator: string) => jasmine.objectContaining({ name: 'NotADeliveryError', operator });

describe('operators/wrapHandlers', () => {
  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Delivery>('|');
      expectObservable(source.pipe(wrapHandlers(around([], 'w')))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('passes one delivery through, its handler now inside the wrapper', () => {
    const order: string[] = [];
    const a = testDelivery({ id: 'a' });
    testScheduler().run(({ cold, expectObservable }) => {
      const handled = cold('-a|', { a }).pipe(
        wrapHandlers(around(order, 'w')),
        handleDeliveries(logging(order)),
      );
      expectObservable(handled.pipe(outcomes)).toBe('-a|', { a: 'a:finished' });
    });
    expect(order).toEqual(['w>', 'handler:a', '<w']);
  });

  it('passes many deliveries through, each handler inside the wrappers', () => {
    const order: string[] = [];
    const [a, b, c] = [testDelivery({ id: 'a' }), testDelivery({ id: 'b' }), testDelivery({ id: 'c' })];
    testScheduler().run(({ cold, expectObservable }) => {
      const handled = cold('a-b-c|', { a, b, c }).pipe(
        wrapHandlers(around(order, 'w')),
        handleDeliveries(logging(order)),
      );
      expectObservable(handled.pipe(outcomes)).toBe('a-b-c|', {
        a: 'a:finished',
        b: 'b:finished',
        c: 'c:finished',
      });
    });
    expect(order).toEqual(['w>', 'handler:a', '<w', 'w>', 'handler:b', '<w', 'w>', 'handler:c', '<w']);
  });

  it('propagates the completion of the source', () => {
    const [a, b] = [testDelivery({ id: 'a' }), testDelivery({ id: 'b' })];
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('a-b|', { a, b }).pipe(
          wrapHandlers(around([], 'w')),
          map((d) => d.id),
        ),
      ).toBe('a-b|', {
        a: 'a',
        b: 'b',
      });
    });
  });

  it('propagates an error of the source', () => {
    const a = testDelivery();
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-#', { a }, new Error('source down'));
      expectObservable(
        source.pipe(
          wrapHandlers(around([], 'w')),
          map((d) => d.id),
        ),
      ).toBe('a-#', { a: 'm1' }, new Error('source down'));
    });
  });

  it('stays open on a never-ending source', () => {
    const a = testDelivery();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--', { a });
      expectObservable(
        source.pipe(
          wrapHandlers(around([], 'w')),
          map((d) => d.id),
        ),
      ).toBe('a--', { a: 'm1' });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('ends its source subscription on early unsubscribe', () => {
    const order: string[] = [];
    const [a, b, c] = [testDelivery({ id: 'a' }), testDelivery({ id: 'b' }), testDelivery({ id: 'c' })];
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c-|', { a, b, c });
      const handled = source.pipe(wrapHandlers(around(order, 'w')), handleDeliveries(logging(order)));
      expectObservable(handled.pipe(outcomes), '^--!').toBe('a-b', { a: 'a:finished', b: 'b:finished' });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(order).not.toContain('handler:c');
  });

  it('runs its wrappers first-outermost around the handler', () => {
    const order: string[] = [];
    const a = testDelivery({ id: 'a' });
    testScheduler().run(({ cold, expectObservable }) => {
      const handled = cold('a|', { a }).pipe(
        wrapHandlers(around(order, 'first'), around(order, 'second')),
        handleDeliveries(logging(order)),
      );
      expectObservable(handled.pipe(outcomes)).toBe('a|', { a: 'a:finished' });
    });
    expect(order).toEqual(['first>', 'second>', 'handler:a', '<second', '<first']);
  });

  it('nests the wrappers of two wrapHandlers in a row in pipe order, outside handleDeliveries middleware', () => {
    const order: string[] = [];
    const a = testDelivery({ id: 'a' });
    testScheduler().run(({ cold, expectObservable }) => {
      const handled = cold('a|', { a }).pipe(
        wrapHandlers(around(order, 'upstream')),
        wrapHandlers(around(order, 'downstream')),
        handleDeliveries(logging(order), { middleware: [around(order, 'local')] }),
      );
      expectObservable(handled.pipe(outcomes)).toBe('a|', { a: 'a:finished' });
    });
    expect(order).toEqual([
      'upstream>',
      'downstream>',
      'local>',
      'handler:a',
      '<local',
      '<downstream',
      '<upstream',
    ]);
  });

  it('keeps its wrappers on a derived view, and the handler sees the view a wrapper passes on', () => {
    const order: string[] = [];
    const seen: unknown[] = [];
    const a = testDelivery({ id: 'a' });
    const authorize: HandlerWrapper = (next) => (d) => next(d.withContext({ user: 'u1' }));
    testScheduler().run(({ cold, expectObservable }) => {
      const handled = cold('a|', { a }).pipe(
        wrapHandlers(around(order, 'w'), authorize),
        map((d) =>
          d
            .withContext({ trace: 't1' })
            .withInput({ id: 7 })
            .withFailHandler((failure, next) => next(failure.error)),
        ),
        handleDeliveries((d) => void seen.push([d.context, d.input])),
      );
      expectObservable(handled.pipe(outcomes)).toBe('a|', { a: 'a:finished' });
    });
    expect(order).toEqual(['w>', '<w']);
    expect(seen).toEqual([[{ trace: 't1', user: 'u1' }, { id: 7 }]]);
  });

  it('lets handleDeliveries contain a wrapper that throws, when made or when run: the delivery fails, the next is handled', async () => {
    const ts = testScheduler();
    const a = testDelivery({ id: 'a', scheduler: ts });
    const b = testDelivery({ id: 'b', scheduler: ts });
    const c = testDelivery({ id: 'c', scheduler: ts });
    const explodes: HandlerWrapper = (next) => (d) => {
      if (d.id === 'a') throw new Error('wrapper exploded');
      return next(d);
    };
    const madeBadly: HandlerWrapper = () => {
      throw new Error('wrapper not made');
    };
    let handled: Promise<string[]> | undefined;
    ts.run(({ cold }) => {
      const deliveries = cold('a-b-c|', { a, b, c });
      handled = lastValueFrom(
        deliveries.pipe(
          map((d) => (d.id === 'b' ? d.withHandlerWrapper(madeBadly) : d)),
          wrapHandlers(explodes),
          handleDeliveries(() => undefined),
          outcomes,
          toArray(),
        ),
      );
    });
    // no failure handlers: each failure is requeued at once, at its own frame
    expect([a.acks, b.acks, c.acks]).toEqual([
      [{ kind: 'requeue', delayMs: 0, at: 0 }],
      [{ kind: 'requeue', delayMs: 0, at: 2 }],
      [{ kind: 'finish', at: 4 }],
    ]);
    expect((await handled)?.sort()).toEqual(['a:requeued', 'b:requeued', 'c:finished']);
  });

  it('errors the stream with NotADeliveryError on a spread copy of a delivery', () => {
    const copy = { ...testDelivery() } as Delivery;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a|', { a: copy });
      expectObservable(source.pipe(wrapHandlers(around([], 'w')))).toBe(
        '-#',
        undefined,
        notADelivery('wrapHandlers'),
      );
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('throws a TypeError when made with something that is not a function', () => {
    expect(() => wrapHandlers(around([], 'w'), undefined as unknown as HandlerWrapper)).toThrowError(
      TypeError,
    );
  });

  describe('as bus.use middleware', () => {
    const topic = 'orders.created';
    const message = { type: 'event', contextID: 'c1', body: {} };

    /**
     * Runs `scenario` on a memory transport in virtual time, then publishes one
     * message; `subscribe(channel)` makes a subscription of `topic` handled by
     * `handler` (cold) and returns its start.
     */
    const publishAfter = (
      handler: (channel: string) => DeliveryHandler,
      scenario: (bus: Transport, subscribe: (channel: string) => () => void) => void,
    ): void => {
      const ts = testScheduler();
      const subscriptions: Subscription[] = [];
      ts.run(() => {
        const bus = memoryTransport({ scheduler: ts, service: 'svc' });
        scenario(bus, (channel) => {
          const handled = bus.subscribeTopic(topic, { channel }).pipe(handleDeliveries(handler(channel)));
          return () => void subscriptions.push(handled.subscribe());
        });
        void bus.publish(topic, message);
      });
      subscriptions.forEach((s) => s.unsubscribe());
    };

    it('wraps the handlers of subscriptions started (not made) after use(), until removed', () => {
      const order: string[] = [];
      publishAfter(
        (channel) => () => void order.push(`handler:${channel}`),
        (bus, subscribe) => {
          subscribe('before')();
          const startedLater = subscribe('started-later');
          const remove = bus.use(
            handlerMiddleware((next) => (d) => (order.push(`wrapper:${d.channel}`), next(d))),
            {
              topic,
            },
          );
          subscribe('after')();
          startedLater();
          remove();
          subscribe('removed')();
        },
      );
      expect(order.sort()).toEqual([
        'handler:after',
        'handler:before',
        'handler:removed',
        'handler:started-later',
        'wrapper:after',
        'wrapper:started-later',
      ]);
    });

    it('pipes operator middleware onto subscriptions started (not made) after use(), until removed', () => {
      const seen: string[] = [];
      publishAfter(
        (channel) => (d) => void seen.push(`${channel}:${String(d.context['tagged'] ?? false)}`),
        (bus, subscribe) => {
          subscribe('before')();
          const startedLater = subscribe('started-later');
          const remove = bus.use(operatorMiddleware(map((d) => d.withContext({ tagged: true }))));
          subscribe('after')();
          startedLater();
          remove();
          subscribe('removed')();
        },
      );
      expect(seen.sort()).toEqual(['after:true', 'before:false', 'removed:false', 'started-later:true']);
    });
  });
});
