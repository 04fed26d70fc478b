import type { Subscription } from 'rxjs';
import {
  ConversationCancelledError,
  ConversationLimitError,
  DuplicateConversationError,
  createConversationStore,
} from '../../src/context';
import { ConfigError } from '../../src/errors';
import type { ConversationEvent, ConversationStore } from '../../src/context';
import {
  BadRequestError,
  NotFoundError,
  TimeoutError,
  TransportClosedError,
  isRxMiniError,
} from '../../src/errors';
import { testScheduler } from '../helpers/marbles';

/** Records every notification of an Observable, with the virtual time it came at. */
const record = <T>(now: () => number) => {
  const log: string[] = [];
  const errors: unknown[] = [];
  return {
    log,
    errors,
    observer: {
      next: (value: T) => log.push(`${now()}:next:${String(value)}`),
      error: (err: unknown) => {
        errors.push(err);
        log.push(`${now()}:error:${err instanceof Error ? err.name : String(err)}`);
      },
      complete: () => log.push(`${now()}:complete`),
    },
  };
};

const eventsOf = (store: ConversationStore<unknown>): ConversationEvent[] => {
  const events: ConversationEvent[] = [];
  store.events$.subscribe((e) => events.push(e));
  return events;
};

describe('createConversationStore', () => {
  describe('add / get / has / size', () => {
    it('keeps the caller id as given, with replyTo, meta and its timestamps', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore({ ttlMs: 100, scheduler: ts });
        ts.schedule(() => {
          const added = store.add({
            id: 'trace-42',
            replyTo: '_reply.n1#ephemeral',
            meta: { action: 'a.b' },
          });
          expect(added).toEqual({
            id: 'trace-42',
            replyTo: '_reply.n1#ephemeral',
            meta: { action: 'a.b' },
            createdAt: 7,
            expiresAt: 107,
          });
          expect(Object.isFrozen(added)).toBeTrue();
          expect(store.get('trace-42')).toBe(added);
          expect(store.has('trace-42')).toBeTrue();
          expect(store.has('null')).toBeFalse();
          expect(store.get('other')).toBeUndefined();
          expect(store.size).toBe(1);
        }, 7);
      });
    });

    it('refuses an id that is already open, leaving the first conversation and its caller intact', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        const first = store.add({ id: 'c-1', replyTo: 'first' });
        let caught: unknown;
        try {
          store.add({ id: 'c-1', replyTo: 'second' });
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(DuplicateConversationError);
        expect((caught as DuplicateConversationError).id).toBe('c-1');
        expect(isRxMiniError(caught, 'DUPLICATE')).toBeTrue();
        expect(store.get('c-1')).toBe(first);
        expect(store.stats()).toEqual(jasmine.objectContaining({ added: 1, rejected: 1, size: 1 }));

        expectObservable(store.wait('c-1')).toBe('--(r|)', { r: 'reply' });
        ts.schedule(() => store.done('c-1', 'reply'), 2);
      });
    });

    it('refuses an empty id instead of inventing one', () => {
      const store = createConversationStore();
      expect(() => store.add({ id: '' })).toThrowError(BadRequestError);
      expect(store.size).toBe(0);
      store.shutdown();
    });

    it('refuses a conversation past maxSize, and accepts one again once a slot frees up', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ maxSize: 2, scheduler: ts });
        store.add({ id: 'a' });
        store.add({ id: 'b' });
        let caught: unknown;
        try {
          store.add({ id: 'c' });
        } catch (err) {
          caught = err;
        }
        expect(caught).toBeInstanceOf(ConversationLimitError);
        expect((caught as ConversationLimitError).maxSize).toBe(2);
        expect(store.has('a') && store.has('b')).toBeTrue();
        expect(store.has('c')).toBeFalse();

        store.wait('a').subscribe();
        expect(store.done('a', 'A')).toBeTrue();
        expect(store.add({ id: 'c' }).id).toBe('c');
        expect(store.stats()).toEqual(jasmine.objectContaining({ added: 3, rejected: 1, size: 2 }));
      });
    });

    it('with ttlMs Infinity keeps a conversation until it ends, with no timer for it', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ ttlMs: Infinity, scheduler: ts });
        const conversation = store.add({ id: 'a' });
        expect(conversation.expiresAt).toBe(Infinity);
        expect(ts.actions.length).withContext('timers scheduled').toBe(0);
        ts.flush();
        expect(store.has('a')).toBeTrue();
        let answer: string | undefined;
        store.waitTimeout('a', 50).subscribe((value) => (answer = value));
        expect(store.done('a', 'A')).toBeTrue();
        expect(answer).toBe('A');
        expect(store.size).toBe(0);
        expect(ts.actions.length).withContext('timers left').toBe(0);
      });
    });

    it('rejects invalid options with a ConfigError', () => {
      expect(() => createConversationStore({ ttlMs: 0 })).toThrowError(ConfigError);
      expect(() => createConversationStore({ ttlMs: Number.NaN })).toThrowError(ConfigError);
      expect(() => createConversationStore({ ttlMs: -1 })).toThrowError(ConfigError);
      expect(() => createConversationStore({ maxSize: 0 })).toThrowError(ConfigError);
      expect(() => createConversationStore({ maxSize: 1.5 })).toThrowError(ConfigError);
    });
  });

  describe('range', () => {
    it('visits conversations oldest first and stops when the callback returns false', () => {
      const store = createConversationStore();
      for (const id of ['a', 'b', 'c', 'd']) store.add({ id });
      const seen: string[] = [];
      store.range((id, conversation) => {
        seen.push(`${id}=${conversation.id}`);
        return id !== 'b';
      });
      expect(seen).toEqual(['a=a', 'b=b']);
      store.shutdown();
    });

    it('visits all when the callback returns nothing, and tolerates deletes from inside it', () => {
      const store = createConversationStore();
      for (const id of ['a', 'b', 'c']) store.add({ id });
      const seen: string[] = [];
      store.range((id) => {
        seen.push(id);
        store.delete(id);
      });
      expect(seen).toEqual(['a', 'b', 'c']);
      expect(store.size).toBe(0);
      store.shutdown();
    });
  });

  describe('done / wait / waitTimeout', () => {
    it('delivers a response that comes before the timeout, then forgets the conversation', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        expectObservable(store.waitTimeout('c-1', 10)).toBe('---(r|)', { r: 'pong' });
        ts.schedule(() => {
          expect(store.done('c-1', 'pong')).toBeTrue();
          expect(store.has('c-1')).toBeFalse();
        }, 3);
      });
    });

    it('times out, ends the conversation, and drops and counts a later response', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        const events = eventsOf(store);
        expectObservable(store.waitTimeout('c-1', 5)).toBe(
          '-----#',
          undefined,
          new TimeoutError('conversation c-1', 5),
        );
        ts.schedule(() => {
          expect(store.has('c-1')).toBeFalse();
          expect(store.done('c-1', 'too late')).toBeFalse();
        }, 8);
        ts.flush();
        expect(store.stats()).toEqual({
          added: 1,
          done: 0,
          expired: 1,
          cancelled: 0,
          late: 1,
          rejected: 0,
          size: 0,
        });
        expect(events).toEqual([
          { type: 'expired', id: 'c-1', at: 5 },
          { type: 'late', id: 'c-1', at: 8 },
        ]);
      });
    });

    it('errors with a TimeoutError instance naming the budget', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        const r = record<string>(() => ts.now());
        store.waitTimeout('c-1', 4).subscribe(r.observer);
        ts.flush();
        expect(r.log).toEqual(['4:error:TimeoutError']);
        expect(r.errors[0]).toBeInstanceOf(TimeoutError);
        expect((r.errors[0] as TimeoutError).timeoutMs).toBe(4);
      });
    });

    it('never crosses two concurrent conversations', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'a' });
        store.add({ id: 'b' });
        expectObservable(store.waitTimeout('a', 20)).toBe('------(x|)', { x: 'for a' });
        expectObservable(store.waitTimeout('b', 20)).toBe('--(y|)', { y: 'for b' });
        ts.schedule(() => store.done('b', 'for b'), 2);
        ts.schedule(() => store.done('a', 'for a'), 6);
      });
    });

    it('delivers one response exactly once: a second done for the same id is late', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        expectObservable(store.wait('c-1')).toBe('-(r|)', { r: 'first' });
        ts.schedule(() => {
          expect(store.done('c-1', 'first')).toBeTrue();
          expect(store.done('c-1', 'second')).toBeFalse();
        }, 1);
        ts.flush();
        expect(store.stats()).toEqual(jasmine.objectContaining({ done: 1, late: 1 }));
      });
    });

    it('holds a response that beats the waiter and hands it to the first wait only', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        expect(store.done('c-1', 'fast')).toBeTrue();
        expect(store.done('c-1', 'duplicate')).toBeFalse();
        expect(store.has('c-1')).toBeTrue();
        expectObservable(store.waitTimeout('c-1', 5)).toBe('(r|)', { r: 'fast' });
        expectObservable(store.wait('c-1'), '-^').toBe('-#', undefined, new NotFoundError('c-1'));
        ts.flush();
        expect(store.size).toBe(0);
        expect(store.stats()).toEqual(jasmine.objectContaining({ done: 1, late: 1, expired: 0 }));
      });
    });

    it('drops a held response nobody collects once the TTL runs out', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ ttlMs: 10, scheduler: ts });
        const events = eventsOf(store);
        store.add({ id: 'c-1' });
        store.done('c-1', 'unclaimed');
        ts.flush();
        expect(store.has('c-1')).toBeFalse();
        expect(events.map((e) => `${e.type}@${e.at}`)).toEqual(['added@0', 'done@0', 'expired@10']);
      });
    });

    it('fails a wait for an id that is not open with NotFoundError, at subscribe time', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        const wait$ = store.wait('later');
        ts.schedule(() => store.add({ id: 'later' }), 2);
        expectObservable(wait$).toBe('#', undefined, new NotFoundError('later'));
        expectObservable(wait$, '---^-!').toBe('------');
        const r = record<string>(() => ts.now());
        store.wait('ghost').subscribe(r.observer);
        expect(r.errors[0]).toBeInstanceOf(NotFoundError);
      });
    });

    it('starts the timeout of waitTimeout at subscribe, not at call', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        const wait$ = store.waitTimeout('c-1', 3);
        expectObservable(wait$, '----^').toBe('-------#', undefined, new TimeoutError('conversation c-1', 3));
      });
    });

    it('refuses a timeout that is negative or not finite', () => {
      const store = createConversationStore();
      store.add({ id: 'c-1' });
      expect(() => store.waitTimeout('c-1', -1)).toThrowError(ConfigError);
      expect(() => store.waitTimeout('c-1', Number.NaN)).toThrowError(ConfigError);
      store.shutdown();
    });

    it('cancels the conversation when its only waiter unsubscribes early; a later response is late', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        const events = eventsOf(store);
        store.add({ id: 'c-1' });
        expectObservable(store.waitTimeout('c-1', 10), '^--!').toBe('---');
        ts.schedule(() => expect(store.done('c-1', 'after cancel')).toBeFalse(), 5);
        ts.flush();
        expect(store.has('c-1')).toBeFalse();
        expect(events.map((e) => `${e.type}@${e.at}`)).toEqual(['added@0', 'cancelled@3', 'late@5']);
        expect(store.stats()).toEqual(
          jasmine.objectContaining({ cancelled: 1, late: 1, expired: 0, size: 0 }),
        );
      });
    });

    it('keeps the conversation while another waiter remains, and delivers to every waiter', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        expectObservable(store.waitTimeout('c-1', 2)).toBe(
          '--#',
          undefined,
          new TimeoutError('conversation c-1', 2),
        );
        expectObservable(store.wait('c-1'), '^-!').toBe('--');
        expectObservable(store.wait('c-1')).toBe('----(r|)', { r: 'pong' });
        ts.schedule(() => expect(store.done('c-1', 'pong')).toBeTrue(), 4);
        ts.flush();
        expect(store.stats()).toEqual(jasmine.objectContaining({ done: 1, cancelled: 0, expired: 0 }));
      });
    });

    it('does not let a stale waiter cancel a new conversation that reuses its id', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        const stale: Subscription = store.wait('c-1').subscribe({ error: () => undefined });
        store.delete('c-1');
        store.add({ id: 'c-1' });
        stale.unsubscribe();
        expect(store.has('c-1')).toBeTrue();
        expect(store.stats().cancelled).toBe(1);
      });
    });
  });

  describe('TTL', () => {
    it('expires a conversation nobody waits for, so the store never grows without bound', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ ttlMs: 10, scheduler: ts });
        const events = eventsOf(store);
        store.add({ id: 'a' });
        ts.schedule(() => store.add({ id: 'b' }), 4);
        ts.schedule(() => {
          expect(store.has('a')).toBeFalse();
          expect(store.has('b')).toBeTrue();
        }, 10);
        ts.schedule(() => expect(store.done('a', 'late')).toBeFalse(), 12);
        ts.flush();
        expect(store.size).toBe(0);
        expect(events.map((e) => `${e.type}:${e.id}@${e.at}`)).toEqual([
          'added:a@0',
          'added:b@4',
          'expired:a@10',
          'late:a@12',
          'expired:b@14',
        ]);
      });
    });

    it('errors a wait without timeout when the TTL runs out', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ ttlMs: 6, scheduler: ts });
        store.add({ id: 'c-1' });
        expectObservable(store.wait('c-1')).toBe(
          '------#',
          undefined,
          new TimeoutError('conversation c-1', 6),
        );
      });
    });

    it('cuts a waitTimeout longer than the TTL short at the TTL', () => {
      const ts = testScheduler();
      ts.run(({ expectObservable }) => {
        const store = createConversationStore<string>({ ttlMs: 4, scheduler: ts });
        store.add({ id: 'c-1' });
        expectObservable(store.waitTimeout('c-1', 50)).toBe(
          '----#',
          undefined,
          new TimeoutError('conversation c-1', 4),
        );
      });
    });

    it('gives a finished conversation whose id is reused a fresh TTL', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ ttlMs: 10, scheduler: ts });
        store.add({ id: 'c-1' });
        ts.schedule(() => {
          store.delete('c-1');
          store.add({ id: 'c-1' });
        }, 8);
        ts.schedule(() => expect(store.has('c-1')).toBeTrue(), 12);
        ts.schedule(() => expect(store.has('c-1')).toBeFalse(), 19);
      });
    });
  });

  describe('delete', () => {
    it('cancels a conversation and fails its waiter with ConversationCancelledError', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ scheduler: ts });
        store.add({ id: 'c-1' });
        const r = record<string>(() => ts.now());
        store.wait('c-1').subscribe(r.observer);
        expect(store.delete('c-1')).toBeTrue();
        expect(store.delete('c-1')).toBeFalse();
        expect(r.log).toEqual(['0:error:ConversationCancelledError']);
        expect((r.errors[0] as ConversationCancelledError).id).toBe('c-1');
        expect(store.done('c-1', 'x')).toBeFalse();
        expect(store.stats()).toEqual(jasmine.objectContaining({ cancelled: 1, late: 1, size: 0 }));
      });
    });
  });

  describe('events$', () => {
    it('emits each lifecycle event in order with its scheduler time, to every subscriber, without replay', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ ttlMs: 20, scheduler: ts });
        store.add({ id: 'before-subscribers' });
        const first = eventsOf(store);
        const second = eventsOf(store);
        ts.schedule(() => {
          store.add({ id: 'a' });
          store.wait('a').subscribe();
        }, 1);
        ts.schedule(() => store.add({ id: 'b' }), 2);
        ts.schedule(() => store.add({ id: 'c' }), 3);
        ts.schedule(() => store.wait('c').subscribe().unsubscribe(), 4);
        ts.schedule(() => store.done('a', 'A'), 5);
        ts.schedule(() => store.done('a', 'again'), 6);
        ts.flush();
        const expected: ConversationEvent[] = [
          { type: 'added', id: 'a', at: 1 },
          { type: 'added', id: 'b', at: 2 },
          { type: 'added', id: 'c', at: 3 },
          { type: 'cancelled', id: 'c', at: 4 },
          { type: 'done', id: 'a', at: 5 },
          { type: 'late', id: 'a', at: 6 },
          { type: 'expired', id: 'before-subscribers', at: 20 },
          { type: 'expired', id: 'b', at: 22 },
        ];
        expect(first).toEqual(expected);
        expect(second).toEqual(expected);
      });
    });
  });

  describe('shutdown', () => {
    it('fails every waiter with TransportClosedError, clears, completes events$ and refuses new work', () => {
      const ts = testScheduler();
      ts.run(() => {
        const store = createConversationStore<string>({ ttlMs: 10, scheduler: ts });
        const events: string[] = [];
        store.events$.subscribe({
          next: (e) => events.push(`${e.type}:${e.id}`),
          complete: () => events.push('complete'),
        });
        store.add({ id: 'a' });
        store.add({ id: 'b' });
        const ra = record<string>(() => ts.now());
        const rb = record<string>(() => ts.now());
        store.wait('a').subscribe(ra.observer);
        store.waitTimeout('b', 5).subscribe(rb.observer);
        ts.schedule(() => store.shutdown(), 2);
        ts.flush();

        expect(ra.log).toEqual(['2:error:TransportClosedError']);
        expect(rb.log).toEqual(['2:error:TransportClosedError']);
        expect(ra.errors[0]).toBeInstanceOf(TransportClosedError);
        expect(store.size).toBe(0);
        expect(store.closed).toBeTrue();
        expect(events).toEqual(['added:a', 'added:b', 'cancelled:a', 'cancelled:b', 'complete']);
        expect(store.stats()).toEqual(jasmine.objectContaining({ added: 2, cancelled: 2, expired: 0 }));

        expect(() => store.add({ id: 'c' })).toThrowError(TransportClosedError);
        expect(store.done('a', 'x')).toBeFalse();
        const rc = record<string>(() => ts.now());
        store.wait('a').subscribe(rc.observer);
        expect(rc.errors[0]).toBeInstanceOf(TransportClosedError);
        expect(() => store.shutdown()).not.toThrow();
      });
    });
  });
});
