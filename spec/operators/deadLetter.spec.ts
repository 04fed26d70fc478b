import { lastValueFrom, map, of, throwError, toArray, type Observable } from 'rxjs';
import type { Message } from '../../src/codec/message.js';
import { HeaderKey } from '../../src/constant/index.js';
import { RetriesExhaustedError } from '../../src/errors.js';
import { deadLetter, type DeadLetterOptions } from '../../src/operators/deadLetter.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
import { testDelivery } from '../../src/testing/testDelivery.js';
import type { Delivery, FailHandler } from '../../src/delivery/types.js';
import { failEach, through } from '../helpers/deliveries.js';
import { testScheduler } from '../helpers/marbles.js';

const boom = new Error('db down');

interface Letter {
  readonly topic: string;
  readonly message: Message;
}

/** A publish that records each letter and answers with `answer()` (default: taken at once). */
const recorder = (answer: () => PromiseLike<unknown> | Observable<unknown> = () => of(undefined)) => {
  const letters: Letter[] = [];
  const publish: DeadLetterOptions['publish'] = (topic, message) => {
    letters.push({ topic, message });
    return answer();
  };
  return { letters, publish };
};

/** The reason headers of a dead letter of `testDelivery()` defaults. */
const reasons = (error: string, attempts = 1, topic = 'test.topic') => ({
  [HeaderKey.ERROR]: error,
  [HeaderKey.ORIGINAL_TOPIC]: topic,
  [HeaderKey.ATTEMPTS]: String(attempts),
});

const notADelivery = (operator: string) => jasmine.objectContaining({ name: 'NotADeliveryError', operator });

describe('operators/deadLetter', () => {
  it('completes at once on an empty source', () => {
    const { publish } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<Delivery>('|');
      expectObservable(source.pipe(deadLetter({ publish }))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('passes one delivery through: its failure is published to <topic>.dead, then finished', () => {
    const ts = testScheduler();
    const a = testDelivery({ topic: 'orders.created', scheduler: ts });
    const { letters, publish } = recorder();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('-a|', { a }).pipe(deadLetter({ publish }), failEach(boom))).toBe('-a|', {
        a: 'm1',
      });
    });
    expect(letters).toEqual([
      {
        topic: 'orders.created.dead',
        message: { ...a.message, header: reasons('db down', 1, 'orders.created') },
      },
    ]);
    expect(a.acks).toEqual([{ kind: 'finish', at: 1 }]);
  });

  it('passes many deliveries through, each dead-lettered from its own topic', () => {
    const ts = testScheduler();
    const a = testDelivery({ id: 'a', topic: 'orders', scheduler: ts });
    const b = testDelivery({ id: 'b', topic: 'users', attempts: 4, scheduler: ts });
    const c = testDelivery({ id: 'c', topic: 'jobs#ephemeral', scheduler: ts });
    const { letters, publish } = recorder();
    ts.run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|', { a, b, c }).pipe(deadLetter({ publish }), failEach(boom))).toBe(
        'a-b-c|',
        {
          a: 'a',
          b: 'b',
          c: 'c',
        },
      );
    });
    expect(letters.map(({ topic, message }) => [topic, message.header])).toEqual([
      ['orders.dead', reasons('db down', 1, 'orders')],
      ['users.dead', reasons('db down', 4, 'users')],
      ['jobs.dead', reasons('db down', 1, 'jobs#ephemeral')],
    ]);
    expect([a.acks, b.acks, c.acks]).toEqual([
      [{ kind: 'finish', at: 0 }],
      [{ kind: 'finish', at: 2 }],
      [{ kind: 'finish', at: 4 }],
    ]);
  });

  it('propagates the completion of the source', () => {
    const [a, b] = [testDelivery({ id: 'a' }), testDelivery({ id: 'b' })];
    const { publish } = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(
        cold('a-b|', { a, b }).pipe(
          deadLetter({ publish }),
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
    const { publish } = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-#', { a }, new Error('source down'));
      expectObservable(
        source.pipe(
          deadLetter({ publish }),
          map((d) => d.id),
        ),
      ).toBe('a-#', { a: 'm1' }, new Error('source down'));
    });
  });

  it('stays open on a never-ending source', () => {
    const a = testDelivery();
    const { publish } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a--', { a });
      expectObservable(
        source.pipe(
          deadLetter({ publish }),
          map((d) => d.id),
        ),
      ).toBe('a--', { a: 'm1' });
      expectSubscriptions(source.subscriptions).toBe('^');
    });
  });

  it('ends its source subscription on early unsubscribe', () => {
    const [a, b, c] = [testDelivery({ id: 'a' }), testDelivery({ id: 'b' }), testDelivery({ id: 'c' })];
    const { letters, publish } = recorder();
    testScheduler().run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot('a-b-c-|', { a, b, c });
      expectObservable(source.pipe(deadLetter({ publish }), failEach(boom)), '^--!').toBe('a-b', {
        a: 'a',
        b: 'b',
      });
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(letters.length).toBe(2);
    expect(c.acks).toEqual([]);
  });

  it('finishes once a cold publish completes, at that frame; until then the delivery refuses its own acknowledgements', () => {
    const ts = testScheduler();
    const a = testDelivery({ scheduler: ts });
    const refused: boolean[] = [];
    ts.run(({ cold, expectObservable }) => {
      const taken = cold('--|');
      const { publish } = recorder(() => taken);
      const deliveries = cold('a|', { a }).pipe(deadLetter({ publish }));
      let view: Delivery | undefined;
      expectObservable(deliveries.pipe(map((d) => ((view = d), void d.fail(boom), d.id)))).toBe('a|', {
        a: 'm1',
      });
      ts.schedule(() => {
        refused.push(
          view?.finish() ?? true,
          view?.requeue(5) ?? true,
          a.finish(),
          a.withContext({}).requeue(),
        );
      }, 1);
    });
    expect(refused).toEqual([false, false, false, false]);
    expect(a.acks).toEqual([{ kind: 'finish', at: 2 }]);
    expect(a.state).toBe('finished');
  });

  it("resolves fail with 'dead-lettered' and calls onPublished(true) once a promise publish resolves", async () => {
    const published: boolean[] = [];
    const { letters, publish } = recorder(() => Promise.resolve());
    const delivery = testDelivery();
    const view = through(deadLetter({ publish, onPublished: (ok) => published.push(ok) }), delivery);
    expect(await view.fail(boom)).toBe('dead-lettered');
    expect(letters.length).toBe(1);
    expect(published).toEqual([true]);
    expect(delivery.acks).toEqual([{ kind: 'finish', at: jasmine.any(Number) }]);
    expect(await view.fail(boom)).toBe('ignored');
  });

  it('publishes to the topic option: a name, or one made from the delivery topic', async () => {
    const named = recorder();
    await through(deadLetter({ publish: named.publish, topic: 'audit.rejected' }), testDelivery()).fail(boom);
    const made = recorder();
    const topic = (t: string): string => `${t}.failed`;
    await through(deadLetter({ publish: made.publish, topic }), testDelivery({ topic: 'orders' })).fail(boom);
    expect([named.letters[0]?.topic, made.letters[0]?.topic]).toEqual(['audit.rejected', 'orders.failed']);
  });

  it('keeps the message and its header, adding the reason of the original error, unwrapped from RetriesExhaustedError', async () => {
    const message: Message = { type: 'event', contextID: 'c7', header: { trace: 't1' }, body: { id: 7 } };
    const { letters, publish } = recorder();
    const gaveUp = new RetriesExhaustedError(3, 3, { cause: boom });
    await through(deadLetter({ publish }), testDelivery({ message, attempts: 3 })).fail(gaveUp);
    expect(letters).toEqual([
      {
        topic: 'test.topic.dead',
        message: { ...message, header: { trace: 't1', ...reasons('db down', 3) } },
      },
    ]);
  });

  it('requeues with requeueDelayMs at the frame a cold publish errors, calling onPublished(false)', () => {
    const ts = testScheduler();
    const a = testDelivery({ scheduler: ts });
    const published: boolean[] = [];
    ts.run(({ cold, expectObservable }) => {
      const refused = cold('---#', undefined, new Error('nsqd down'));
      const { publish } = recorder(() => refused);
      const options = { publish, requeueDelayMs: 250, onPublished: (ok: boolean) => published.push(ok) };
      expectObservable(cold('-a|', { a }).pipe(deadLetter(options), failEach(boom))).toBe('-a|', { a: 'm1' });
    });
    expect(a.acks).toEqual([{ kind: 'requeue', delayMs: 250, at: 4 }]);
    expect(published).toEqual([false]);
  });

  it("resolves fail with 'requeued' when a promise publish rejects, the delay made from the attempts", async () => {
    const published: boolean[] = [];
    const { publish } = recorder(() => Promise.reject(new Error('nsqd down')));
    const delivery = testDelivery({ attempts: 3 });
    const options = {
      publish,
      requeueDelayMs: (n: number) => n * 1_000,
      onPublished: (ok: boolean) => published.push(ok),
    };
    expect(await through(deadLetter(options), delivery).fail(boom)).toBe('requeued');
    expect(delivery.acks).toEqual([{ kind: 'requeue', delayMs: 3_000, at: jasmine.any(Number) }]);
    expect(published).toEqual([false]);
  });

  it('requeues a refused dead letter after the default backoff of its attempts', async () => {
    const { publish } = recorder(() => Promise.reject(new Error('nsqd down')));
    const delivery = testDelivery({ attempts: 3 });
    await through(deadLetter({ publish }), delivery).fail(boom);
    // DEFAULT_RETRY_POLICY: 100 ms × 2^(3−1), ±20 %
    const delay = delivery.acks[0]?.delayMs ?? NaN;
    expect(delay).toBeGreaterThanOrEqual(320);
    expect(delay).toBeLessThanOrEqual(480);
  });

  it('requeues when publish throws synchronously: never lost', async () => {
    const published: boolean[] = [];
    const publish = (): never => {
      throw new Error('publish exploded');
    };
    const delivery = testDelivery();
    const options = { publish, requeueDelayMs: 10, onPublished: (ok: boolean) => published.push(ok) };
    expect(await through(deadLetter(options), delivery).fail(boom)).toBe('requeued');
    expect(delivery.acks).toEqual([{ kind: 'requeue', delayMs: 10, at: jasmine.any(Number) }]);
    expect(published).toEqual([false]);
  });

  it('requeues when its topic function throws', async () => {
    const { letters, publish } = recorder();
    const topic = (): string => {
      throw new Error('no topic');
    };
    const delivery = testDelivery();
    expect(await through(deadLetter({ publish, topic, requeueDelayMs: 10 }), delivery).fail(boom)).toBe(
      'requeued',
    );
    expect(letters).toEqual([]);
    expect(delivery.acks).toEqual([{ kind: 'requeue', delayMs: 10, at: jasmine.any(Number) }]);
  });

  it('still finishes a dead letter the broker took when onPublished throws', async () => {
    const onPublished = (): void => {
      throw new Error('metrics down');
    };
    for (const answer of [() => of(undefined), () => Promise.resolve()]) {
      const { publish } = recorder(answer);
      const delivery = testDelivery();
      expect(await through(deadLetter({ publish, onPublished }), delivery).fail(boom)).toBe('dead-lettered');
      expect(delivery.acks).toEqual([{ kind: 'finish', at: jasmine.any(Number) }]);
    }
  });

  it('still requeues a refused dead letter when onPublished or requeueDelayMs throws', async () => {
    const exploding = (): never => {
      throw new Error('callback exploded');
    };
    const options: Omit<DeadLetterOptions, 'publish'>[] = [
      { onPublished: exploding },
      { requeueDelayMs: exploding },
    ];
    for (const option of options) {
      for (const answer of [
        () => Promise.reject(new Error('nsqd down')),
        () => throwError(() => 'nsqd down'),
      ]) {
        const { publish } = recorder(answer);
        const delivery = testDelivery();
        expect(await through(deadLetter({ publish, ...option }), delivery).fail(boom)).toBe('requeued');
        expect(delivery.acks).toEqual([
          { kind: 'requeue', delayMs: jasmine.any(Number), at: jasmine.any(Number) },
        ]);
      }
    }
  });

  it('has the last word: a failure handler attached before it is never called', async () => {
    let called = false;
    const before: FailHandler = (failure, next) => ((called = true), next(failure.error));
    const { publish } = recorder();
    const delivery = testDelivery();
    expect(await through(deadLetter({ publish }), delivery.withFailHandler(before)).fail(boom)).toBe(
      'dead-lettered',
    );
    expect(called).toBeFalse();
  });

  it('takes what retryWithBackoff gives up on: requeue, requeue, then dead letter over attempts 1..3', async () => {
    const ts = testScheduler();
    const a = testDelivery({ id: 'a', attempts: 1, scheduler: ts });
    const b = testDelivery({ id: 'b', attempts: 2, scheduler: ts });
    const c = testDelivery({ id: 'c', attempts: 3, scheduler: ts });
    const failing = (): never => {
      throw boom;
    };
    let letters: Letter[] = [];
    let outcomes: Promise<string[][]> | undefined;
    ts.run(({ cold }) => {
      const taken = cold('--|');
      const dead = recorder(() => taken);
      letters = dead.letters;
      outcomes = lastValueFrom(
        cold('a-b-c|', { a, b, c }).pipe(
          deadLetter({ publish: dead.publish }),
          retryWithBackoff({ maxAttempts: 3, initialDelayMs: 100, factor: 2, jitter: 0 }),
          handleDeliveries(failing),
          map(({ delivery, outcome }) => [delivery.id, outcome]),
          toArray(),
        ),
      );
    });
    expect([a.acks, b.acks, c.acks]).toEqual([
      [{ kind: 'requeue', delayMs: 100, at: 0 }],
      [{ kind: 'requeue', delayMs: 200, at: 2 }],
      [{ kind: 'finish', at: 6 }],
    ]);
    expect(letters.map(({ topic, message }) => [topic, message.header?.[HeaderKey.ERROR]])).toEqual([
      ['test.topic.dead', 'db down'],
    ]);
    expect((await outcomes)?.sort()).toEqual([
      ['a', 'requeued'],
      ['b', 'requeued'],
      ['c', 'dead-lettered'],
    ]);
  });

  it('errors the stream with NotADeliveryError on a spread copy of a delivery', () => {
    const copy = { ...testDelivery() } as Delivery;
    const { publish } = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('-a-a|', { a: copy });
      expectObservable(source.pipe(deadLetter({ publish }))).toBe(
        '-#',
        undefined,
        notADelivery('deadLetter'),
      );
      expectSubscriptions(source.subscriptions).toBe('^!');
    });
  });

  it('throws a TypeError when made without a publish function', () => {
    expect(() => deadLetter({} as DeadLetterOptions)).toThrowError(TypeError);
    expect(() => deadLetter(undefined as unknown as DeadLetterOptions)).toThrowError(TypeError);
  });
});
