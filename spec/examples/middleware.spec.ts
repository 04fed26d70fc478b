/** examples/04-middleware.ts: its two operators alone, and its whole flow, in virtual time. */
import { map, of } from 'rxjs';
import { authorize, middleware, orderEvent, shipOrders, traceContext } from '../../examples/04-middleware';
import { HeaderKey, type Delivery } from '../../src/index.js';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { createTestScheduler, memoryTransport, testDelivery } from '../../src/testing/index.js';

const marbles = () => createTestScheduler((actual, expected) => expect(actual).toEqual(expected));

describe('examples/04-middleware', () => {
  it('authorize passes a known token and dead-letters the others at once, unretried', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const allowed = testDelivery({ scheduler, message: orderEvent(1, 'secret-token') });
      const stranger = testDelivery({ scheduler, id: 'm2', message: orderEvent(2, 'guess') });
      const letters: string[] = [];
      const publish = (topic: string) => (letters.push(topic), of(undefined));

      const passed = cold('-a-b|', { a: allowed, b: stranger }).pipe(
        deadLetter({ publish }),
        retryWithBackoff({ maxAttempts: 5 }),
        authorize(new Set(['secret-token'])),
      );

      expectObservable(passed).toBe('-a--|', { a: jasmine.objectContaining({ id: 'm1' }) });
      flush();
      expect(allowed.acks).toEqual([]); // the handler's to acknowledge
      expect(stranger.acks).toEqual([{ kind: 'finish', at: 3 }]);
      expect(letters).toEqual(['test.topic.dead']);
    });
  });

  it('traceContext attaches the trace id of traceparent, else the context id, sharing the acks', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable, flush }) => {
      const traced = testDelivery({
        scheduler,
        message: {
          ...orderEvent(1),
          header: { [HeaderKey.TRACEPARENT]: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' },
        },
      });
      const untraced = testDelivery({ scheduler, id: 'm2', message: orderEvent(2) });

      const contexts = cold('-a-b|', { a: traced, b: untraced }).pipe(
        traceContext(),
        map((d: Delivery) => (d.finish(), d.context)),
      );

      expectObservable(contexts).toBe('-a-b|', {
        a: { traceId: '4bf92f3577b34da6a3ce929d0e0e4736' },
        b: { traceId: 'order-2' },
      });
      flush();
      expect(traced.acks).toEqual([{ kind: 'finish', at: 1 }]);
    });
  });

  it('ships authorized orders and dead-letters the others, frame by frame', () => {
    const scheduler = marbles();
    const shipped: string[] = [];
    scheduler.run(({ hot, expectObservable }) => {
      const bus = memoryTransport({ scheduler, service: 'shipping' });
      const handled = shipOrders(bus, (order, traceId) =>
        shipped.push(`${String(order)} ${String(traceId)}`),
      );
      hot('-a-b-c', {
        a: orderEvent(1, 'secret-token'),
        b: orderEvent(2),
        c: orderEvent(3, 'secret-token'),
      }).subscribe((order) => void bus.publish('orders.ship', order));

      expectObservable(
        handled.pipe(
          map(({ outcome, delivery }) => `${outcome} ${String(delivery.message.body?.['order'])}`),
        ),
      ).toBe('-a---c', {
        a: 'finished 1',
        c: 'finished 3',
      });
      const refused = bus
        .subscribeTopic('orders.ship.dead', { channel: 'ops' })
        .pipe(map((letter) => (letter.finish(), letter.message.header?.[HeaderKey.ERROR])));
      expectObservable(refused).toBe('---d', { d: 'unauthorized on orders.ship' });
    });
    expect(shipped).toEqual(['1 order-1', '3 order-3']);
  });

  it('runs and prints what it did', async () => {
    expect(await middleware()).toEqual([
      'shipped order 1 (trace order-1)',
      'dead-lettered order 2: unauthorized on orders.ship',
    ]);
  });
});
