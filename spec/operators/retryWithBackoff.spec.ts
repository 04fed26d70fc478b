import { map, of } from 'rxjs';
import type { Message } from '../../src/codec/message.js';
import { HeaderKey } from '../../src/constant/index.js';
import { ConfigError, RetriesExhaustedError, ValidationError } from '../../src/errors.js';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { testDelivery } from '../../src/testing/testDelivery.js';
import type { Delivery, FailHandler, RetryPolicy } from '../../src/delivery/types.js';
import { failEach, through } from '../helpers/deliveries.js';
import { testScheduler } from '../helpers/marbles.js';

/** `random` at its middle: the jitter spreads nothing. */
const noJitter = { random: () => 0.5 };
const policy: Partial<RetryPolicy> = { maxAttempts: 5, initialDelayMs: 100, factor: 2, jitter: 0.2 };
const boom = new Error('db down');

/** A failure handler attached before the operator: records what reaches it, then finishes the delivery. */
const recordingInto =
  (seen: unknown[]): FailHandler =>
  (failure) => {
    seen.push(failure.error);
    return failure.finish() ? 'finished' : 'ignored';
  };

const notADelivery = (operator: string) => jasmine.objectContaining({ name: 'NotADeliveryError', operator });

describe('operators/retryWithBackoff', () => {
  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Delivery>('|');
      expectObservable(source.pipe(retryWithBackoff(policy, noJitter))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('passes one delivery through, carrying the backoff of its failure', () => {
    const ts = testScheduler();
    const a = testDelivery({ scheduler: ts });
    ts.run(({ cold, expectObservable }) => {
      const source = cold('-a|', { a });
      expectObservable(source.pipe(retryWithBackoff(policy, noJitter), failEach(boom))).toBe('-a|', {
        a: 'm1',
      });
    });
    expect(a.acks).toEqual([{ kind: 'requeue', delayMs: 100, at: 1 }]);
  });

  it('passes many deliveries through, each requeued by the broker after the backoff of its own attempts', () => {
    const ts = testScheduler();
    const a = testDelivery({ id: 'm1', attempts: 1, scheduler: ts });
    const b = testDelivery({ id: 'm2', attempts: 2, scheduler: ts });
    const c = testDelivery({ id: 'm3', attempts: 3, scheduler: ts });
    ts.run(({ cold, expectObservable }) => {
      const source = cold('a-b---c|', { a, b, c });
      // no timer: the delay goes to the broker, so nothing waits and the stream ends with its source
      expectObservable(source.pipe(retryWithBackoff(policy, noJitter), failEach(boom))).toBe('a-b---c|', {
        a: 'm1',
        b: 'm2',
        c: 'm3',
      });
    });
    expect(a.acks).toEqual([{ kind: 'requeue', delayMs: 100, at: 0 }]);
    expect(b.acks).toEqual([{ kind: 'requeue', delayMs: 200, at: 2 }]);
    expect(c.acks).toEqual([{ kind: 'requeue', delayMs: 400, at: 6 }]);
  });

  it('propagates the completion of the source', () => {
    const ts = testScheduler();
    const [a, b] = [testDelivery({ id: 'a' }), testDelivery({ id: 'b' })];
    ts.run(({ cold, expectObservable }) => {
      const ids = map((d: Delivery) => d.id);
      expectObservable(cold('a-b|', { a, b }).pipe(retryWithBackoff(policy), ids)).toBe('a-b|', {
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
          retryWithBackoff(policy),
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
          retryWithBackoff(policy),
          map((d) => d.id),
        ),
      ).toBe('a--', { a: 'm1' });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('ends its source subscription on early unsubscribe', () => {
    const ts = testScheduler();
    const [a, b, c] = [testDelivery({ id: 'a' }), testDelivery({ id: 'b' }), testDelivery({ id: 'c' })];
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c-|', { a, b, c });
      expectObservable(source.pipe(retryWithBackoff(policy, noJitter), failEach(boom)), '^--!').toBe('a-b', {
        a: 'a',
        b: 'b',
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(c.acks).toEqual([]);
  });

  it('requeues after min(maxDelayMs, initialDelayMs × factor^(attempts−1)), counting the broker attempts', async () => {
    const steep = retryWithBackoff(
      { maxAttempts: 10, initialDelayMs: 100, factor: 3, maxDelayMs: 2_000, jitter: 0.5 },
      noJitter,
    );
    const delays: (number | undefined)[] = [];
    for (const attempts of [1, 2, 3, 4, 5]) {
      const delivery = testDelivery({ attempts });
      expect(await through(steep, delivery).fail(boom)).toBe('requeued');
      delays.push(...delivery.acks.map((ack) => ack.delayMs));
    }
    expect(delays).toEqual([100, 300, 900, 2_000, 2_000]);
  });

  it('spreads the delay by ±jitter with the injected random', async () => {
    const delayWith = async (random: () => number): Promise<number | undefined> => {
      const delivery = testDelivery();
      await through(retryWithBackoff({ initialDelayMs: 100, jitter: 0.5 }, { random }), delivery).fail(boom);
      return delivery.acks[0]?.delayMs;
    };
    expect(await delayWith(() => 0)).toBe(50);
    expect(await delayWith(() => 0.75)).toBe(125);
  });

  it('at maxAttempts hands a RetriesExhaustedError, caused by the error, to the handler attached before it', async () => {
    const seen: unknown[] = [];
    const retry = retryWithBackoff({ ...policy, maxAttempts: 3 }, noJitter);
    const second = testDelivery({ attempts: 2 });
    expect(await through(retry, second.withFailHandler(recordingInto(seen))).fail(boom)).toBe('requeued');
    expect(seen).toEqual([]);

    const third = testDelivery({ attempts: 3 });
    expect(await through(retry, third.withFailHandler(recordingInto(seen))).fail(boom)).toBe('finished');
    expect(third.acks).toEqual([{ kind: 'finish', at: jasmine.any(Number) }]);
    const [gaveUp] = seen;
    expect(gaveUp).toBeInstanceOf(RetriesExhaustedError);
    expect(gaveUp).toEqual(jasmine.objectContaining({ attempts: 3, maxAttempts: 3, cause: boom }));
  });

  it('with no handler before it, requeues a failure out of attempts at once', async () => {
    const delivery = testDelivery({ attempts: 3 });
    expect(await through(retryWithBackoff({ ...policy, maxAttempts: 3 }), delivery).fail(boom)).toBe(
      'requeued',
    );
    expect(delivery.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: jasmine.any(Number) }]);
  });

  it('does not retry a ValidationError by default: it is passed on at the first attempt', async () => {
    const invalid = new ValidationError([{ path: 'id', expected: 'string', message: 'id is required' }]);
    const seen: unknown[] = [];
    const delivery = testDelivery();
    await through(retryWithBackoff(policy, noJitter), delivery.withFailHandler(recordingInto(seen))).fail(
      invalid,
    );
    expect(seen).toEqual([jasmine.any(RetriesExhaustedError)]);
    expect((seen[0] as RetriesExhaustedError).cause).toBe(invalid);

    // only the default refuses it: a policy that says it is retryable retries it
    const retried = testDelivery();
    await through(retryWithBackoff({ ...policy, retryable: () => true }, noJitter), retried).fail(invalid);
    expect(retried.acks).toEqual([{ kind: 'requeue', delayMs: 100, at: jasmine.any(Number) }]);
  });

  it('passes on a failure its retryable refuses', async () => {
    const seen: unknown[] = [];
    const retry = retryWithBackoff({ ...policy, retryable: (e) => e !== boom }, noJitter);
    const delivery = testDelivery();
    expect(await through(retry, delivery.withFailHandler(recordingInto(seen))).fail(boom)).toBe('finished');
    expect(seen).toEqual([jasmine.any(RetriesExhaustedError)]);
  });

  it('dead-letters a failure whose retryable throws, rather than looping', async () => {
    const letters: Message[] = [];
    const delivery = testDelivery();
    const pipeline = (d: Delivery): Delivery =>
      through(
        retryWithBackoff(
          {
            ...policy,
            retryable: () => {
              throw new Error('retryable exploded');
            },
          },
          noJitter,
        ),
        through(deadLetter({ publish: (_topic, letter) => of(letters.push(letter)) }), d),
      );
    expect(await pipeline(delivery).fail(boom)).toBe('dead-lettered');
    expect(letters.map((letter) => letter.header?.[HeaderKey.ERROR])).toEqual(['db down']);
    expect(delivery.acks).toEqual([{ kind: 'finish', at: jasmine.any(Number) }]);
  });

  it('requeues at once when its random throws: a failure is never lost', async () => {
    const random = (): number => {
      throw new Error('no entropy');
    };
    const delivery = testDelivery();
    expect(await through(retryWithBackoff(policy, { random }), delivery).fail(boom)).toBe('requeued');
    expect(delivery.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: jasmine.any(Number) }]);
  });

  it('with two in one pipe, the last decides first; once it gives up, the other passes it on to the dead letter', async () => {
    const letters: { topic: string; message: Message }[] = [];
    const operators = (d: Delivery): Delivery =>
      [
        deadLetter<Delivery>({ publish: (topic, message) => of(letters.push({ topic, message })) }),
        retryWithBackoff<Delivery>({ maxAttempts: 5, initialDelayMs: 1_000, jitter: 0 }),
        retryWithBackoff<Delivery>({ maxAttempts: 2, initialDelayMs: 10, jitter: 0 }),
      ].reduce((view, operator) => through(operator, view), d);

    const first = testDelivery({ attempts: 1 });
    expect(await operators(first).fail(boom)).toBe('requeued');
    expect(first.acks).toEqual([{ kind: 'requeue', delayMs: 10, at: jasmine.any(Number) }]);

    const second = testDelivery({ attempts: 2 });
    expect(await operators(second).fail(boom)).toBe('dead-lettered');
    expect(second.acks).toEqual([{ kind: 'finish', at: jasmine.any(Number) }]);
    expect(letters.map(({ topic, message }) => [topic, message.header?.[HeaderKey.ERROR]])).toEqual([
      ['test.topic.dead', 'db down'],
    ]);
  });

  it('errors the stream with NotADeliveryError on a spread copy of a delivery', () => {
    const copy = { ...testDelivery() } as Delivery;
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a|', { a: copy });
      expectObservable(source.pipe(retryWithBackoff(policy))).toBe(
        '-#',
        undefined,
        notADelivery('retryWithBackoff'),
      );
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('throws a ConfigError when made with an invalid policy', () => {
    expect(() => retryWithBackoff({ factor: 0.5 })).toThrowError(ConfigError);
    expect(() => retryWithBackoff({ maxAttempts: 0 })).toThrowError(ConfigError);
    expect(() => retryWithBackoff({ initialDelayMs: 5_000, maxDelayMs: 1_000 })).toThrowError(ConfigError);
    expect(() => retryWithBackoff({ maxAttempts: Infinity })).not.toThrow();
  });
});
