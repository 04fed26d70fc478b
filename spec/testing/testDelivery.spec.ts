import { asyncScheduler } from 'rxjs';
import { HeaderKey } from '../../src/constant/index.js';
import { memoryLogger } from '../../src/logger/memoryLogger.js';
import { testDelivery } from '../../src/testing/testDelivery.js';
import { isDelivery } from '../../src/delivery/delivery.js';
import type { FailHandler } from '../../src/delivery/types.js';
import { testScheduler } from '../helpers/marbles.js';

describe('testing/testDelivery', () => {
  it('has a default for everything: an event on test.topic, first attempt, nothing acknowledged', () => {
    const ts = testScheduler();
    ts.run(() => {
      ts.schedule(() => {
        const delivery = testDelivery({ scheduler: ts });
        expect(isDelivery(delivery)).toBeTrue();
        expect(delivery.message).toEqual({ type: 'event', contextID: 'test-m1', body: {} });
        expect([delivery.topic, delivery.channel, delivery.id, delivery.attempts]).toEqual([
          'test.topic',
          'test',
          'm1',
          1,
        ]);
        expect([delivery.timestamp, delivery.receivedAt]).toEqual([7, 7]);
        expect([delivery.state, delivery.deadline, delivery.expired]).toEqual(['pending', undefined, false]);
        expect(delivery.context).toEqual({});
        expect(delivery.acks).toEqual([]);
      }, 7);
    });
  });

  it('takes its fields from the options', () => {
    const delivery = testDelivery({
      body: { n: 1 },
      topic: 'orders',
      channel: 'billing',
      id: 'x9',
      attempts: 3,
      timestamp: 42,
    });
    expect(delivery.message).toEqual({ type: 'event', contextID: 'test-x9', body: { n: 1 } });
    expect([delivery.topic, delivery.channel, delivery.id, delivery.attempts, delivery.timestamp]).toEqual([
      'orders',
      'billing',
      'x9',
      3,
      42,
    ]);
    const message = { type: 'request', contextID: 'c1', header: { [HeaderKey.DEADLINE]: '50' } };
    expect(testDelivery({ message, body: { ignored: true } }).message).toBe(message);
  });

  it('runs on asyncScheduler by default', () => {
    const before = asyncScheduler.now();
    const delivery = testDelivery();
    delivery.finish();
    expect(delivery.acks[0]?.at).toBeGreaterThanOrEqual(before);
    expect(delivery.acks[0]?.at).toBeLessThanOrEqual(asyncScheduler.now());
  });

  it('records each acknowledgement with the frame of its scheduler', () => {
    const ts = testScheduler();
    const delivery = testDelivery({ scheduler: ts });
    ts.run(() => {
      ts.schedule(() => delivery.touch(), 2);
      ts.schedule(() => delivery.touch(), 3);
      ts.schedule(() => delivery.requeue(1_500), 5);
    });
    expect(delivery.acks).toEqual([
      { kind: 'touch', at: 2 },
      { kind: 'touch', at: 3 },
      { kind: 'requeue', delayMs: 1_500, at: 5 },
    ]);
    expect(delivery.state).toBe('requeued');
  });

  it('records only the first finish or requeue', () => {
    const finished = testDelivery();
    const requeued = testDelivery();
    expect([finished.finish(), finished.finish(), finished.requeue()]).toEqual([true, false, false]);
    expect([requeued.requeue(), requeued.finish(), requeued.requeue(10)]).toEqual([true, false, false]);
    expect(finished.acks.map((ack) => ack.kind)).toEqual(['finish']);
    expect(requeued.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: jasmine.any(Number) }]);
  });

  it('records no touch after an acknowledgement', () => {
    const delivery = testDelivery();
    expect([delivery.touch(), delivery.finish(), delivery.touch()]).toEqual([true, true, false]);
    expect(delivery.acks.map((ack) => ack.kind)).toEqual(['touch', 'finish']);
  });

  it('shares its acks with the views made from it', () => {
    const delivery = testDelivery();
    const view = delivery.withContext({ user: 'u1' }).withInput({ id: 7 });
    expect(view.finish()).toBeTrue();
    expect(delivery.finish()).toBeFalse();
    expect(delivery.acks.map((ack) => ack.kind)).toEqual(['finish']);
    expect(delivery.state).toBe('finished');
  });

  it('has no failure handlers: fail requeues at once', async () => {
    const delivery = testDelivery();
    expect(await delivery.fail(new Error('db down'))).toBe('requeued');
    expect(delivery.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: jasmine.any(Number) }]);
  });

  it('logs to its logger', async () => {
    const logger = memoryLogger();
    const throwing: FailHandler = () => {
      throw new Error('handler exploded');
    };
    await testDelivery({ logger }).withFailHandler(throwing).fail(new Error('db down'));
    expect(logger.records.map((r) => r.level)).toEqual(['error']);
  });

  it('has a deadline from the x-deadline header, on its scheduler', () => {
    const ts = testScheduler();
    const message = { type: 'request', contextID: 'c1', header: { [HeaderKey.DEADLINE]: '50' } };
    ts.run(() => {
      const delivery = testDelivery({ message, scheduler: ts });
      expect(delivery.deadline).toBe(50);
      ts.schedule(() => expect([delivery.remainingMs, delivery.expired]).toEqual([10, false]), 40);
      ts.schedule(() => expect(delivery.expired).toBeTrue(), 50);
    });
  });
});
