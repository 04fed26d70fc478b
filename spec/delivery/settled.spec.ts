import { NEVER, Subject, of, throwError } from 'rxjs';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import { knownOutcome, promiseOf } from '../../src/delivery/settled.js';
import { createTestScheduler, testDelivery } from '../../src/testing/index.js';

describe('promiseOf / knownOutcome', () => {
  it('knows at once that a source which completed on subscribe succeeded', async () => {
    const promise = promiseOf(of(undefined));
    expect(knownOutcome(promise)).toEqual({ ok: true });
    await expectAsync(promise).toBeResolvedTo(undefined);
  });

  it('knows at once that a source which errored on subscribe failed, and marks the rejection handled', async () => {
    const refused = new Error('refused');
    const promise = promiseOf(throwError(() => refused));
    expect(knownOutcome(promise)).toEqual({ ok: false, error: refused });
    await expectAsync(promise).toBeRejectedWith(refused);
  });

  it('knows nothing of a source that settles later, and settles with it', async () => {
    const broker = new Subject<void>();
    const promise = promiseOf(broker);
    expect(knownOutcome(promise)).toBeUndefined();
    broker.next();
    await expectAsync(promise).toBeResolvedTo(undefined);
    expect(broker.observed).toBeFalse();
  });

  it('rejects with a later error, and stays pending for a source that never settles', async () => {
    const broker = new Subject<void>();
    const promise = promiseOf(broker);
    broker.error(new Error('nsqd said E_BAD_TOPIC'));
    await expectAsync(promise).toBeRejectedWithError('nsqd said E_BAD_TOPIC');
    await expectAsync(promiseOf(NEVER)).toBePending();
  });

  it('knows nothing of any other promise', () => {
    expect(knownOutcome(Promise.resolve())).toBeUndefined();
  });
});

describe('a known outcome in the operators, in virtual time', () => {
  it('handleDeliveries acknowledges in the frame the handler returned a settled promise', () => {
    const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold, expectObservable }) => {
      const sent = testDelivery({ scheduler });
      const refused = testDelivery({ scheduler, id: 'm2' });
      const handler = (d: typeof sent) =>
        promiseOf(d === sent ? of(undefined) : throwError(() => new Error('refused')));
      const outcomes = cold('--a--b|', { a: sent, b: refused }).pipe(handleDeliveries(handler));
      // no completion in virtual time: the failed one's outcome waits for fail's own promise
      expectObservable(outcomes).toBe('--f---', { f: jasmine.objectContaining({ outcome: 'finished' }) });
      scheduler.flush();
      expect(sent.acks).toEqual([{ kind: 'finish', at: 2 }]);
      // the failure handlers ran in frame 5 all the same
      expect(refused.acks).toEqual([{ kind: 'requeue', delayMs: 0, at: 5 }]);
    });
  });

  it('deadLetter finishes in the frame the publish promise it was given settled', () => {
    const scheduler = createTestScheduler((actual, expected) => expect(actual).toEqual(expected));
    scheduler.run(({ cold }) => {
      const letters: string[] = [];
      const publish = (topic: string) => (letters.push(topic), promiseOf(of(undefined)));
      const delivery = testDelivery({ scheduler });
      cold('---a|', { a: delivery })
        .pipe(
          deadLetter({ publish }),
          handleDeliveries(() => {
            throw new Error('bad');
          }),
        )
        .subscribe();
      scheduler.flush();
      expect(letters).toEqual(['test.topic.dead']);
      expect(delivery.acks).toEqual([{ kind: 'finish', at: 3 }]);
    });
  });
});
