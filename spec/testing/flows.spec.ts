/**
 * Whole flows marble-tested in virtual time: `memoryTransport({ scheduler })`
 * from rxmini/testing inside `TestScheduler.run`. Requests and replies,
 * a timeout, retries that end in a dead letter, and a conversation's TTL all
 * happen at exact frames, without a real timer. docs/testing.md quotes these.
 */
import { catchError, filter, map, mergeAll, mergeMap, of, type Observable } from 'rxjs';
import { deadLetter } from '../../src/operators/deadLetter.js';
import { retryWithBackoff } from '../../src/operators/retryWithBackoff.js';
// module paths, not the root barrel: spec/testing runs in a browser, and the root entry still carries the NSQ layer
import { newMessage, type Message } from '../../src/codec/message.js';
import { HeaderKey, MessageType } from '../../src/constant/index.js';
import { createConversationStore } from '../../src/context/index.js';
import { TimeoutError } from '../../src/errors.js';
import { handleDeliveries } from '../../src/operators/handleDeliveries.js';
import type { Delivery } from '../../src/delivery/types.js';
import { createTestScheduler, memoryTransport } from '../../src/testing/index.js';

const marbles = () => createTestScheduler((actual, expected) => expect(actual).toEqual(expected));

/** The reason headers of each dead letter, each one finished. */
const reasons = (letters: Observable<Delivery>) =>
  letters.pipe(
    map((letter) => {
      letter.finish();
      const header = letter.message.header ?? {};
      return { error: header[HeaderKey.ERROR], attempts: header[HeaderKey.ATTEMPTS] };
    }),
  );

describe('whole flows in virtual time (rxmini/testing)', () => {
  it('answers requests arriving as -a-b with replies at -x-y', () => {
    const scheduler = marbles();
    scheduler.run(({ hot, expectObservable }) => {
      const bus = memoryTransport({ scheduler });

      // the service
      bus
        .subscribeTopic('auth.login')
        .pipe(
          handleDeliveries((d) =>
            bus.respond(d.message, { token: `jwt-for-${String(d.message.body?.['email'])}` }),
          ),
        )
        .subscribe();

      // the clients
      const emails = hot('-a-b', { a: 'ada@example.com', b: 'bob@example.com' });
      const replies = emails.pipe(
        map((email) => bus.request('auth.login', { email })),
        mergeAll(),
        map((reply) => reply.body),
      );

      expectObservable(replies).toBe('-x-y', {
        x: { result: { token: 'jwt-for-ada@example.com' } },
        y: { result: { token: 'jwt-for-bob@example.com' } },
      });
    });
  });

  it('times a request out after 5 s of virtual time, in well under a second', () => {
    const scheduler = marbles();
    const started = Date.now();
    scheduler.run(({ expectObservable }) => {
      const bus = memoryTransport({ scheduler });

      expectObservable(bus.request('nobody.home', {}, { timeout: 5_000 })).toBe(
        '5000ms #',
        undefined,
        new TimeoutError('request nobody.home', 5_000),
      );
    });
    expect(Date.now() - started).toBeLessThan(500);
  });

  it('retries with the transport retry option, then dead-letters at the frame the backoff adds up to', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable }) => {
      const bus = memoryTransport({
        scheduler,
        retry: { 'payments.': { maxAttempts: 3, initialDelayMs: 1_000, factor: 2, jitter: 0 } },
      });
      bus
        .subscribeTopic('payments.charge')
        .pipe(
          handleDeliveries(() => {
            throw new Error('card declined');
          }),
        )
        .subscribe();
      cold('-c').subscribe(() => void bus.publish('payments.charge', newMessage(MessageType.EVENT)));

      // attempt 1 at frame 1, attempt 2 at 1 + 1000, attempt 3 at 1001 + 2000: out of attempts
      const letters = bus.subscribeTopic('payments.charge.dead', { channel: 'ops' });
      expectObservable(reasons(letters)).toBe('3001ms d', {
        d: { error: 'card declined', attempts: '3' },
      });
    });
  });

  it('retries and dead-letters with piped retryWithBackoff and deadLetter, in the same frames', () => {
    const scheduler = marbles();
    scheduler.run(({ cold, expectObservable }) => {
      const bus = memoryTransport({ scheduler });
      bus
        .subscribeTopic('payments.charge')
        .pipe(
          deadLetter({ publish: bus.publish, topic: 'payments.failed' }),
          retryWithBackoff({ maxAttempts: 3, initialDelayMs: 1_000, jitter: 0.2 }, { random: () => 0.5 }),
          handleDeliveries(() => {
            throw new Error('card declined');
          }),
        )
        .subscribe();
      cold('-c').subscribe(() => void bus.publish('payments.charge', newMessage(MessageType.EVENT)));

      const letters = bus.subscribeTopic('payments.failed', { channel: 'ops' });
      expectObservable(reasons(letters)).toBe('3001ms d', {
        d: { error: 'card declined', attempts: '3' },
      });
    });
  });

  it('expires a conversation nobody answers at its TTL', () => {
    const scheduler = marbles();
    scheduler.run(({ hot, expectObservable }) => {
      const bus = memoryTransport({ scheduler });
      const payments = createConversationStore<Message>({ ttlMs: 30_000, scheduler });

      // the payment service settles order a only
      bus
        .subscribeTopic('payments.charge')
        .pipe(
          handleDeliveries((d) =>
            d.message.body?.['order'] === 'a'
              ? bus.publish('payments.settled', { ...newMessage(MessageType.EVENT, d.message.contextID) })
              : undefined,
          ),
        )
        .subscribe();
      // settlements close their conversation
      bus
        .subscribeTopic('payments.settled')
        .pipe(handleDeliveries((d) => void payments.done(d.message.contextID ?? '', d.message)))
        .subscribe();

      const orders = hot('-a-b');
      const outcomes = orders.pipe(
        mergeMap((order) => {
          const id = `order-${order}`;
          payments.add({ id });
          void bus.publish('payments.charge', { ...newMessage(MessageType.EVENT, id), body: { order } });
          return payments.wait(id).pipe(
            map(() => `${order} settled`),
            catchError((error: unknown) =>
              of(`${order} ${error instanceof TimeoutError ? 'expired' : 'failed'}`),
            ),
          );
        }),
      );

      // b was opened at frame 3: it expires at 3 + 30 000
      expectObservable(outcomes).toBe('-a 30001ms b', { a: 'a settled', b: 'b expired' });
      const ends = payments.events$.pipe(filter((e) => e.type !== 'added'));
      expectObservable(ends.pipe(map((e) => `${e.type} ${e.id}`))).toBe('-d 30001ms e', {
        d: 'done order-a',
        e: 'expired order-b',
      });
    });
  });
});
