import { firstValueFrom, from, toArray } from 'rxjs';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { onPanic } from '../../src/recover/panicHook.js';
import type { PanicReport } from '../../src/recover/types.js';
import type { Delivery, DeliveryState, FailOutcome, HandlerWrapper } from '../../src/delivery/types.js';
import { noopLogger } from '../../src/logger/noopLogger.js';
import { testDelivery } from '../../src/testing/testDelivery.js';
import { testScheduler } from '../helpers/marbles.js';

/** A thenable that settles synchronously, so the failure path runs inside virtual time. */
const settled = <T>(value: T): Promise<T> =>
  ({
    then: (onFulfilled?: (v: T) => unknown) => settled(onFulfilled ? onFulfilled(value) : value),
  }) as unknown as Promise<T>;

interface Stub extends Delivery {
  readonly log: string[];
}

const stub = (
  name: string,
  options: { failWith?: FailOutcome; wrappers?: readonly HandlerWrapper[]; failThrows?: boolean } = {},
): Stub => {
  const log: string[] = [];
  let state: DeliveryState = 'pending';
  const ack = (next: DeliveryState, what: string): boolean => {
    log.push(what);
    if (state !== 'pending') return false;
    state = next;
    return true;
  };
  const delivery: Stub = {
    log,
    message: { type: 'event', contextID: name },
    topic: 't',
    channel: 'c',
    id: name,
    attempts: 1,
    timestamp: 0,
    receivedAt: 0,
    deadline: undefined,
    remainingMs: Infinity,
    expired: false,
    get state() {
      return state;
    },
    context: {},
    logger: noopLogger,
    finish: () => ack('finished', 'finish'),
    requeue: () => ack('requeued', 'requeue'),
    touch: () => state === 'pending',
    fail: (error: unknown) => {
      if (options.failThrows) throw new Error('fail exploded');
      log.push(`fail:${error instanceof Error ? error.message : String(error)}`);
      if (state !== 'pending') return settled<FailOutcome>('ignored');
      state = 'requeued';
      return settled<FailOutcome>(options.failWith ?? 'requeued');
    },
    input: undefined,
    withContext: () => delivery,
    withInput: () => delivery as never,
    withFailHandler: () => delivery,
    whenSettled: () => undefined,
    withHandlerWrapper: () => delivery,
    wrapHandler: (handler) => (options.wrappers ?? []).reduceRight((next, wrap) => wrap(next), handler),
  };
  return delivery;
};

describe('operators/handleDeliveries', () => {
  let reports: PanicReport[];
  let stop: () => void;
  beforeEach(() => {
    reports = [];
    stop = onPanic((r) => reports.push(r));
  });
  afterEach(() => stop());

  const ok = (): void => undefined;

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Delivery>('|').pipe(handleDeliveries(ok))).toBe('|');
    });
  });

  it('finishes one delivery whose handler returns', () => {
    const a = stub('a');
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a }).pipe(handleDeliveries(ok))).toBe('a|', {
        a: { delivery: a, outcome: 'finished' },
      });
    });
    expect(a.log).toEqual(['finish']);
  });

  it('handles many, waiting for an Observable handler to complete before finishing', () => {
    const [a, b, c] = [stub('a'), stub('b'), stub('c')];
    testScheduler().run(({ cold, expectObservable }) => {
      const handler = (d: Delivery) => cold(d.id === 'b' ? '---x|' : 'x|');
      expectObservable(cold('a-b-c|', { a, b, c }).pipe(handleDeliveries(handler))).toBe('-a---c(b|)', {
        a: { delivery: a, outcome: 'finished' },
        b: { delivery: b, outcome: 'finished' },
        c: { delivery: c, outcome: 'finished' },
      });
    });
  });

  it('keeps order with concurrency 1', () => {
    const [a, b] = [stub('a'), stub('b')];
    testScheduler().run(({ cold, expectObservable }) => {
      const handler = (d: Delivery) => cold(d.id === 'a' ? '---|' : '|');
      expectObservable(cold('ab|', { a, b }).pipe(handleDeliveries(handler, { concurrency: 1 }))).toBe(
        '---(ab|)',
        {
          a: { delivery: a, outcome: 'finished' },
          b: { delivery: b, outcome: 'finished' },
        },
      );
    });
  });

  it('hands a failure to delivery.fail and goes on with the next delivery', () => {
    const [a, b, c] = [stub('a'), stub('b', { failWith: 'dead-lettered' }), stub('c')];
    const boom = new Error('boom');
    testScheduler().run(({ cold, expectObservable }) => {
      const handler = (d: Delivery): void => {
        if (d.id === 'b') throw boom;
      };
      expectObservable(cold('abc|', { a, b, c }).pipe(handleDeliveries(handler))).toBe('abc|', {
        a: { delivery: a, outcome: 'finished' },
        b: { delivery: b, outcome: 'dead-lettered', error: boom },
        c: { delivery: c, outcome: 'finished' },
      });
    });
    expect(b.log).toEqual(['fail:boom']);
    expect(reports).toEqual([]);
  });

  it('with outcomes: false, emits nothing, and still finishes, fails and completes as it would', () => {
    const [a, b, c] = [stub('a'), stub('b'), stub('c')];
    testScheduler().run(({ cold, expectObservable }) => {
      const handler = (d: Delivery) => {
        if (d.id === 'b') throw new Error('boom');
        return cold(d.id === 'c' ? '--x|' : '|');
      };
      expectObservable(cold('abc|', { a, b, c }).pipe(handleDeliveries(handler, { outcomes: false }))).toBe(
        '-----|',
      );
    });
    expect([a.log, b.log, c.log]).toEqual([['finish'], ['fail:boom'], ['finish']]);
  });

  it('with outcomes: false, still passes a source error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold<Delivery>('-#', undefined, 'gone').pipe(handleDeliveries(ok, { outcomes: false })),
      ).toBe('-#', undefined, 'gone');
    });
  });

  it('treats an erroring Observable like a throw', () => {
    const a = stub('a');
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a }).pipe(handleDeliveries(() => cold('--#', undefined, 'nope')))).toBe(
        '--(a|)',
        { a: { delivery: a, outcome: 'requeued', error: 'nope' } },
      );
    });
  });

  it('reports a handler that acknowledged the delivery itself', () => {
    const a = stub('a');
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|', { a }).pipe(handleDeliveries((d) => void d.requeue()))).toBe('a|', {
        a: { delivery: a, outcome: 'acknowledged' },
      });
    });
    expect(a.log).toEqual(['requeue', 'finish']);
  });

  it('propagates a source error', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold<Delivery>('-#', undefined, 'source down').pipe(handleDeliveries(ok))).toBe(
        '-#',
        undefined,
        'source down',
      );
    });
  });

  it('stays open on a never-ending source', () => {
    const a = stub('a');
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-', { a }).pipe(handleDeliveries(ok))).toBe('a-', {
        a: { delivery: a, outcome: 'finished' },
      });
    });
  });

  it('stops running handlers on early unsubscribe, leaving their deliveries unacknowledged', () => {
    const [a, b] = [stub('a'), stub('b')];
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-b', { a, b });
      const handler = (d: Delivery) => cold(d.id === 'a' ? '-|' : '-----|');
      expectObservable(source.pipe(handleDeliveries(handler)), '^---!').toBe('-a', {
        a: { delivery: a, outcome: 'finished' },
      });
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
    expect(b.state).toBe('pending');
  });

  it('contains a failure of fail itself: reported as a panic, the stream goes on', () => {
    const [a, b] = [stub('a', { failThrows: true }), stub('b')];
    testScheduler().run(({ cold, expectObservable }) => {
      const handler = (d: Delivery): void => {
        if (d.id === 'a') throw new Error('x');
      };
      expectObservable(cold('ab|', { a, b }).pipe(handleDeliveries(handler, { label: 'orders' }))).toBe(
        '-b|',
        {
          b: { delivery: b, outcome: 'finished' },
        },
      );
    });
    expect(reports.map((r) => r.label)).toEqual(['orders']);
    expect(reports[0]?.context).toEqual({ topic: 't', id: 'a', contextID: 'a' });
  });

  it('runs the transport middleware of the delivery around options.middleware around the handler', () => {
    const order: string[] = [];
    const wrapper =
      (name: string): HandlerWrapper =>
      (next) =>
      (d) => {
        order.push(name);
        return next(d);
      };
    const a = stub('a', { wrappers: [wrapper('transport')] });
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('a|', { a }).pipe(
          handleDeliveries(() => void order.push('handler'), { middleware: [wrapper('local')] }),
        ),
      ).toBe('a|', { a: { delivery: a, outcome: 'finished' } });
    });
    expect(order).toEqual(['transport', 'local', 'handler']);
  });

  it('waits for a promise and finishes on resolve, fails on reject', async () => {
    const handled = await firstValueFrom(
      from([stub('a'), stub('b')]).pipe(
        handleDeliveries((d) => (d.id === 'a' ? Promise.resolve() : Promise.reject(new Error('rejected')))),
        toArray(),
      ),
    );
    expect(handled.map((h) => [h.delivery.id, h.outcome])).toEqual([
      ['a', 'finished'],
      ['b', 'requeued'],
    ]);
  });

  it('errors the stream with NotADeliveryError at once on a spread copy, handling nothing more', () => {
    const handled: string[] = [];
    const copy = { ...testDelivery({ id: 'copy' }) } as Delivery;
    const after = testDelivery({ id: 'after' });
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-c-a|', { c: copy, a: after });
      const refused = jasmine.objectContaining({ name: 'NotADeliveryError', operator: 'handleDeliveries' });
      expectObservable(source.pipe(handleDeliveries((d) => void handled.push(d.id)))).toBe(
        '-#',
        undefined,
        refused,
      );
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
    expect(handled).toEqual([]);
    expect(after.acks).toEqual([]);
    expect(reports).toEqual([]);
  });

  it('refuses a handler that is not a function', () => {
    expect(() => handleDeliveries(undefined as never)).toThrowError(TypeError);
  });
});
