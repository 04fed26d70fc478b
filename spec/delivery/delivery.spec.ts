import { HeaderKey } from '../../src/constant/index.js';
import { deadlineBudget } from '../../src/delivery/delivery.js';
import type { FailHandler } from '../../src/delivery/types.js';
import { testScheduler } from '../helpers/marbles.js';
import { fakeBrokerDelivery, fakeDelivery } from '../transport/fakes.js';

const msg = { type: 'event', contextID: 'c1', body: { n: 1 } };

describe('delivery/delivery', () => {
  it('carries the broker fields and the decoded message', () => {
    const { delivery } = fakeDelivery(msg, {
      raw: fakeBrokerDelivery({ attempts: 2, id: 'x', timestamp: 5 }),
    });
    expect(delivery.message).toBe(msg);
    expect([delivery.id, delivery.topic, delivery.channel, delivery.attempts, delivery.timestamp]).toEqual([
      'x',
      'orders',
      'svc',
      2,
      5,
    ]);
    expect(delivery.state).toBe('pending');
    expect(delivery.deadline).toBeUndefined();
    expect(delivery.remainingMs).toBe(Infinity);
    expect(delivery.expired).toBeFalse();
  });

  it('runs a failure handler attached twice in a row once, and one attached again later twice', async () => {
    const calls: string[] = [];
    const record =
      (name: string): FailHandler =>
      (failure, next) => {
        calls.push(name);
        return next(failure.error);
      };
    const a = record('a');
    const b = record('b');
    const { delivery } = fakeDelivery(msg);
    const once = delivery.withFailHandler(a);
    expect(once.withFailHandler(a)).toBe(once);
    await once.withFailHandler(a).fail(new Error('boom'));
    expect(calls).toEqual(['a']);

    calls.length = 0;
    const { delivery: other } = fakeDelivery(msg);
    await other.withFailHandler(a).withFailHandler(b).withFailHandler(a).fail(new Error('boom'));
    expect(calls).toEqual(['a', 'b', 'a']);
  });

  it('makes finish, requeue and touch idempotent: the first acknowledgement wins', () => {
    const { delivery, raw } = fakeDelivery(msg);
    expect(delivery.touch()).toBeTrue();
    expect(delivery.finish()).toBeTrue();
    expect(delivery.finish()).toBeFalse();
    expect(delivery.requeue(10)).toBeFalse();
    expect(delivery.touch()).toBeFalse();
    expect(delivery.state).toBe('finished');
    expect(raw.calls).toEqual(['touch', 'finish']);
  });

  it('rounds a requeue delay and turns a bad one into 0', () => {
    const a = fakeDelivery(msg);
    a.delivery.requeue(12.6);
    const b = fakeDelivery(msg);
    b.delivery.requeue(Number.NaN);
    expect([a.raw.calls, b.raw.calls]).toEqual([['requeue:13'], ['requeue:0']]);
    expect(a.delivery.state).toBe('requeued');
  });

  it('requeues a failure with backoff while attempts remain', async () => {
    const { delivery, raw, published } = fakeDelivery(msg, { raw: fakeBrokerDelivery({ attempts: 2 }) });
    expect(await delivery.fail(new Error('x'))).toBe('requeued');
    expect(await delivery.fail(new Error('x'))).toBe('ignored');
    expect(raw.calls).toEqual(['requeue:200']);
    expect(published).toEqual([]);
  });

  it('dead-letters after maxAttempts, with the reason in the header, then finishes', async () => {
    const { delivery, raw, published } = fakeDelivery(msg, { raw: fakeBrokerDelivery({ attempts: 3 }) });
    expect(await delivery.fail(new Error('db down'))).toBe('dead-lettered');
    expect(published).toEqual([
      {
        topic: 'orders.dead',
        message: {
          ...msg,
          header: {
            [HeaderKey.ERROR]: 'db down',
            [HeaderKey.ORIGINAL_TOPIC]: 'orders',
            [HeaderKey.ATTEMPTS]: '3',
          },
        },
      },
    ]);
    expect(raw.calls).toEqual(['finish']);
    expect(delivery.state).toBe('finished');
  });

  it('requeues instead when the dead-letter publish fails: nothing is lost', async () => {
    const outcomes: boolean[] = [];
    const { delivery, raw } = fakeDelivery(msg, {
      raw: fakeBrokerDelivery({ attempts: 3 }),
      publishFails: true,
      onDeadLetter: (ok) => outcomes.push(ok),
    });
    expect(await delivery.fail(new Error('x'))).toBe('requeued');
    expect(raw.calls).toEqual(['requeue:400']);
    expect(outcomes).toEqual([false]);
  });

  it('blocks other acknowledgements while it dead-letters', async () => {
    const { delivery, raw } = fakeDelivery(msg, {
      raw: fakeBrokerDelivery({ attempts: 3 }),
      publish: (_topic, _msg) => {
        // the handler tries to finish while the dead letter is on its way
        expect(delivery.finish()).toBeFalse();
        expect(delivery.requeue()).toBeFalse();
        return new (class {
          subscribe(observer: { complete: () => void }): void {
            observer.complete();
          }
        })() as never;
      },
    });
    expect(await delivery.fail('x')).toBe('dead-lettered');
    expect(raw.calls).toEqual(['finish']);
  });

  it('shares its acknowledgements with withContext views, each with its own context', () => {
    const { delivery } = fakeDelivery(msg);
    const a = delivery.withContext({ user: 'u1' });
    const b = a.withContext({ role: 'admin' });
    expect(delivery.context).toEqual({});
    expect(a.context).toEqual({ user: 'u1' });
    expect(b.context).toEqual({ user: 'u1', role: 'admin' });
    expect(b.finish()).toBeTrue();
    expect(delivery.state).toBe('finished');
    expect(a.finish()).toBeFalse();
  });

  it('wraps a handler in the wrappers attached to it, the first outermost, kept by later views', () => {
    const order: string[] = [];
    const { delivery } = fakeDelivery(msg);
    const wrapped = delivery
      .withHandlerWrapper((next) => (d) => {
        order.push(`outer:${d.topic}`);
        return next(d);
      })
      .withContext({ user: 'u1' })
      .withHandlerWrapper((next) => (d) => {
        order.push(`inner:${String(d.context['user'])}`);
        return next(d);
      });
    wrapped.wrapHandler(() => void order.push('handler'))(wrapped);
    expect(order).toEqual(['outer:orders', 'inner:u1', 'handler']);
    order.length = 0;
    delivery.wrapHandler(() => void order.push('handler'))(delivery);
    expect(order).toEqual(['handler']);
  });

  it('counts the x-deadline budget down on the scheduler', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const { delivery } = fakeDelivery({ ...msg, header: { [HeaderKey.DEADLINE]: '5' } });
      const view = cold('0123456|').pipe();
      const seen: string[] = [];
      view.subscribe(() => seen.push(`${delivery.remainingMs}:${String(delivery.expired)}`));
      expectObservable(view).toBe('0123456|');
      cold('-------|').subscribe({
        complete: () =>
          expect(seen).toEqual(['5:false', '4:false', '3:false', '2:false', '1:false', '0:true', '-1:true']),
      });
    });
  });

  it('counts a redelivery from when the broker first got the message', () => {
    testScheduler().run(({ cold }) => {
      cold('---a|').subscribe(() => {
        const { delivery } = fakeDelivery(
          { ...msg, header: { [HeaderKey.DEADLINE]: '10' } },
          { raw: fakeBrokerDelivery({ attempts: 2, timestamp: 1 }) },
        );
        expect(delivery.deadline).toBe(11);
        const first = fakeDelivery({ ...msg, header: { [HeaderKey.DEADLINE]: '10' } });
        expect(first.delivery.deadline).toBe(13);
      });
    });
  });

  it('reads the budget only from a plain decimal header', () => {
    const budget = (value: string): number | undefined =>
      deadlineBudget({ type: 'request', header: { [HeaderKey.DEADLINE]: value } });
    expect(budget('1500')).toBe(1500);
    expect(['', '-1', '1e3', '12.5', ' 7', 'x'].map(budget)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
    expect(deadlineBudget({ type: 'request' })).toBeUndefined();
  });
});
