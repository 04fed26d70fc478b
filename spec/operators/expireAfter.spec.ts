import { Subject, type Observable } from 'rxjs';
import { ConfigError } from '../../src/errors';
import { MAX_TTL_MS } from '../../src/constant/limits';
import { expireAfter, type Expiry } from '../../src/operators/expireAfter';
import { testScheduler } from '../helpers/marbles';

interface Step {
  readonly id: string;
  readonly done?: boolean;
}

const byId = { key: (s: Step) => s.id, isDone: (s: Step) => s.done === true };

describe('expireAfter', () => {
  it('completes at once on an empty source', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold<string>('|');
      expectObservable(source.pipe(expireAfter(5, { scheduler: ts }))).toBe('|');
      expectSubscriptions(source.subscriptions).toBe('(^!)');
    });
  });

  it('emits one expiry ttl after a single item, then completes', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const source = cold('a|');
      const expected = '5ms (x|)';
      expectObservable(source.pipe(expireAfter(5, { scheduler: ts }))).toBe(expected, {
        x: { key: 'a', item: 'a', at: 5 },
      });
    });
  });

  it('expires many keys independently, each ttl after its own item', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot<Step>('a-b-c', { a: { id: 'a' }, b: { id: 'b' }, c: { id: 'c' } });
      expectObservable(source.pipe(expireAfter(3, { ...byId, scheduler: ts }))).toBe('---x-y-z', {
        x: { key: 'a', item: { id: 'a' }, at: 3 },
        y: { key: 'b', item: { id: 'b' }, at: 5 },
        z: { key: 'c', item: { id: 'c' }, at: 7 },
      });
    });
  });

  it('emits nothing for a key whose done item comes within ttl', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot<Step>('a-b-A', { a: { id: 'a' }, b: { id: 'b' }, A: { id: 'a', done: true } });
      expectObservable(source.pipe(expireAfter(5, { ...byId, scheduler: ts }))).toBe('-------y', {
        y: { key: 'b', item: { id: 'b' }, at: 7 },
      });
    });
  });

  it('restarts a key ttl on each new item and reports the last item seen', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot('a--b--c', { a: { id: 'k', n: 1 }, b: { id: 'k', n: 2 }, c: { id: 'k', n: 3 } });
      const op = expireAfter(4, { key: (s: { id: string; n: number }) => s.id, scheduler: ts });
      expectObservable(source.pipe(op)).toBe('----------x', {
        x: { key: 'k', item: { id: 'k', n: 3 }, at: 10 },
      });
    });
  });

  it('lets a key expire again after it was opened anew', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot<Step>('a---------a', { a: { id: 'a' } });
      expectObservable(source.pipe(expireAfter(2, { ...byId, scheduler: ts }))).toBe('--x---------y', {
        x: { key: 'a', item: { id: 'a' }, at: 2 },
        y: { key: 'a', item: { id: 'a' }, at: 12 },
      });
    });
  });

  it('after the source completes, waits for pending keys to expire before completing', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const source = cold<Step>('a-b|', { a: { id: 'a' }, b: { id: 'b' } });
      expectObservable(source.pipe(expireAfter(10, { ...byId, scheduler: ts }))).toBe('10ms x-(y|)', {
        x: { key: 'a', item: { id: 'a' }, at: 10 },
        y: { key: 'b', item: { id: 'b' }, at: 12 },
      });
    });
  });

  it('completes when the source completes with every key done', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const source = cold<Step>('aA|', { a: { id: 'a' }, A: { id: 'a', done: true } });
      expectObservable(source.pipe(expireAfter(10, { ...byId, scheduler: ts }))).toBe('--|');
    });
  });

  it('forwards a source error at once and drops pending expiries', () => {
    const ts = testScheduler();
    ts.run(({ cold, expectObservable }) => {
      const source = cold<Step>('a-#', { a: { id: 'a' } }, new Error('boom'));
      expectObservable(source.pipe(expireAfter(5, { ...byId, scheduler: ts }))).toBe(
        '--#',
        undefined,
        new Error('boom'),
      );
    });
  });

  it('keeps expiring keys while a never-ending source stays open', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<Step>('a---', { a: { id: 'a' } });
      const expected = '--x-';
      expectObservable(source.pipe(expireAfter(2, { ...byId, scheduler: ts }))).toBe(expected, {
        x: { key: 'a', item: { id: 'a' }, at: 2 },
      });
      expectSubscriptions(source.subscriptions).toBe('^---');
    });
  });

  it('emits nothing and ends the source subscription when unsubscribed before the ttl', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<Step>('a-b-----', { a: { id: 'a' }, b: { id: 'b' } });
      expectObservable(source.pipe(expireAfter(5, { ...byId, scheduler: ts })), '^---!').toBe('-----');
      expectSubscriptions(source.subscriptions).toBe('^---!');
    });
  });

  it('clears pending timers on unsubscribe so nothing fires later', () => {
    const ts = testScheduler();
    const seen: Expiry<Step, string>[] = [];
    ts.run(() => {
      const source = new Subject<Step>();
      const subscription = source
        .pipe(expireAfter(5, { ...byId, scheduler: ts }))
        .subscribe((e) => seen.push(e));
      source.next({ id: 'a' });
      ts.schedule(() => subscription.unsubscribe(), 3);
    });
    expect(seen).toEqual([]);
  });

  it('errors when the key function throws, dropping pending expiries', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable, expectSubscriptions }) => {
      const source = hot<Step>('a-b----', { a: { id: 'a' }, b: { id: 'b' } });
      const key = (s: Step): string => {
        if (s.id === 'b') throw new Error('bad key');
        return s.id;
      };
      expectObservable(source.pipe(expireAfter(3, { key, scheduler: ts }))).toBe(
        '--#',
        undefined,
        new Error('bad key'),
      );
      expectSubscriptions(source.subscriptions).toBe('^-!');
    });
  });

  it('errors when isDone throws', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source = hot<Step>('a', { a: { id: 'a' } });
      const isDone = (): boolean => {
        throw new Error('bad isDone');
      };
      expectObservable(source.pipe(expireAfter(3, { key: (s: Step) => s.id, isDone, scheduler: ts }))).toBe(
        '#',
        undefined,
        new Error('bad isDone'),
      );
    });
  });

  it('tolerates a subscriber that closes the key and opens another while handling its expiry', () => {
    const ts = testScheduler();
    const seen: string[] = [];
    ts.run(() => {
      const source = new Subject<Step>();
      source.pipe(expireAfter(2, { ...byId, scheduler: ts })).subscribe(({ key }) => {
        seen.push(`${key}@${ts.now()}`);
        source.next({ id: key, done: true });
        if (key === 'a') source.next({ id: 'b' });
      });
      source.next({ id: 'a' });
    });
    expect(seen).toEqual(['a@2', 'b@4']);
  });

  it('defaults to the item itself as its key', () => {
    const ts = testScheduler();
    ts.run(({ hot, expectObservable }) => {
      const source: Observable<string> = hot('ab-a');
      expectObservable(source.pipe(expireAfter(4, { scheduler: ts }))).toBe('-----y-x', {
        x: { key: 'a', item: 'a', at: 7 },
        y: { key: 'b', item: 'b', at: 5 },
      });
    });
  });

  it('refuses a ttl that is negative, not finite or beyond host timers', () => {
    for (const ttl of [-1, Number.NaN, Number.POSITIVE_INFINITY, MAX_TTL_MS + 1]) {
      expect(() => expireAfter(ttl)).toThrowError(ConfigError);
    }
    expect(() => expireAfter(0)).not.toThrow();
  });
});
