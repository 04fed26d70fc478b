import { EMPTY, Observable, firstValueFrom, map, mergeMap, of, throwError, toArray } from 'rxjs';
import { PanicError } from '../../src/errors';
import { memoryLogger } from '../../src/logger/memoryLogger';
import { recoverWithContext } from '../../src/operators/recoverWithContext';
import { onPanic } from '../../src/recover/panicHook';
import type { PanicReport } from '../../src/recover/types';
import { testScheduler } from '../helpers/marbles';

interface Delivery {
  readonly id: string;
  readonly message: { readonly contextID: string };
}

const delivery = (id: string): Delivery => ({ id, message: { contextID: `ctx-${id}` } });

describe('operators/recoverWithContext', () => {
  let reports: PanicReport[];
  let stop: () => void;

  beforeEach(() => {
    reports = [];
    stop = onPanic((r) => reports.push(r));
  });

  afterEach(() => stop());

  const upper = (s: string): string => s.toUpperCase();
  const failOn =
    (bad: string) =>
    (s: string): string => {
      if (s === bad) throw new Error(`cannot process ${s}`);
      return s.toUpperCase();
    };

  it('completes at once on an empty source', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(recoverWithContext({ label: 'l', process: upper }))).toBe('|');
    });
    expect(reports).toEqual([]);
  });

  it('processes one value', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|').pipe(recoverWithContext({ label: 'l', process: upper }))).toBe('a|', {
        a: 'A',
      });
    });
  });

  it('processes many values, passing each its index', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('a-b-c|').pipe(recoverWithContext({ label: 'l', process: (s, i) => `${s}${i}` }));
      expectObservable(result).toBe('a-b-c|', { a: 'a0', b: 'b1', c: 'c2' });
    });
  });

  it('emits an array or a string returned by process as ONE value', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('a|').pipe(recoverWithContext({ label: 'l', process: (s) => [s, s] }));
      expectObservable(result).toBe('a|', { a: ['a', 'a'] });
    });
  });

  it('skips an item whose processing throws synchronously, reports it with label and context, and goes on', () => {
    const log = memoryLogger();
    testScheduler().run(({ cold, expectObservable }) => {
      const source = cold('a-b-c|', { a: delivery('a'), b: delivery('b'), c: delivery('c') });
      const result = source.pipe(
        recoverWithContext({
          label: 'orders',
          process: (d) => {
            if (d.id === 'b') throw new Error('bad order');
            return d.id;
          },
          context: (d) => ({ contextID: d.message.contextID }),
          logger: log,
        }),
      );
      expectObservable(result).toBe('a---c|', { a: 'a', c: 'c' });
    });
    expect(reports.length).toBe(1);
    expect(reports[0]?.label).toBe('orders');
    expect(reports[0]?.context).toEqual({ contextID: 'ctx-b' });
    expect(reports[0]?.error).toBeInstanceOf(PanicError);
    expect((reports[0]?.error.cause as Error).message).toBe('bad order');
    expect(log.records.map((r) => [r.level, r.fields['label'], r.fields['context']])).toEqual([
      ['error', 'orders', { contextID: 'ctx-b' }],
    ]);
  });

  it('recovers from processing that errors asynchronously, keeping what it emitted before', () => {
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const inner = cold('x--#', { x: 'partial' }, new Error('late'));
      const result = cold('a-b|').pipe(
        recoverWithContext({ label: 'l', process: (s) => (s === 'a' ? inner : of(s)) }),
      );
      expectObservable(result).toBe('x-b|', { x: 'partial', b: 'b' });
      expectSubscriptions(inner.subscriptions).toBe('^--!');
    });
    expect(reports.map((r) => (r.error.cause as Error).message)).toEqual(['late']);
  });

  it('recovers from a rejected promise', async () => {
    const result = await firstValueFrom(
      of('a', 'b', 'c').pipe(
        recoverWithContext({
          label: 'l',
          process: (s) => (s === 'b' ? Promise.reject(new Error('rejected')) : Promise.resolve(s)),
        }),
        toArray(),
      ),
    );
    expect(result.sort()).toEqual(['a', 'c']);
    expect(reports.map((r) => (r.error.cause as Error).message)).toEqual(['rejected']);
  });

  it('keeps processing a never-ending source', () => {
    testScheduler().run(({ hot, expectObservable }) => {
      const result = hot('-a-b-c-').pipe(recoverWithContext({ label: 'l', process: failOn('b') }));
      expectObservable(result).toBe('-a---c-', { a: 'A', c: 'C' });
    });
    expect(reports.length).toBe(1);
  });

  it('waits for in-flight processing before completing', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('a|').pipe(recoverWithContext({ label: 'l', process: () => cold('---z|') }));
      expectObservable(result).toBe('---z|');
    });
  });

  it('tears down in-flight processing of every item on early unsubscribe', () => {
    testScheduler().run(({ cold, hot, expectObservable, expectSubscriptions }) => {
      const source = hot('-a-b-----');
      const inner = cold('------x|');
      const result = source.pipe(recoverWithContext({ label: 'l', process: () => inner }));
      expectObservable(result, '^----!').toBe('------');
      expectSubscriptions(source.subscriptions).toBe('^----!');
      expectSubscriptions(inner.subscriptions).toBe(['-^---!', '---^-!']);
    });
    expect(reports).toEqual([]);
  });

  it('still reports, with { contextError }, when the context callback throws', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('a-b|').pipe(
        recoverWithContext({
          label: 'l',
          process: failOn('a'),
          context: () => {
            throw new Error('no context');
          },
        }),
      );
      expectObservable(result).toBe('--b|', { b: 'B' });
    });
    expect(reports.length).toBe(1);
    expect(reports[0]?.context).toEqual({ contextError: 'no context' });
    expect((reports[0]?.error.cause as Error).message).toBe('cannot process a');
  });

  it('does not call the context callback on success', () => {
    const context = jasmine.createSpy('context').and.returnValue({});
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|').pipe(recoverWithContext({ label: 'l', process: upper, context }))).toBe(
        'a|',
        {
          a: 'A',
        },
      );
    });
    expect(context).not.toHaveBeenCalled();
  });

  it('propagates a source error: it is not a per-item failure', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('a-#', undefined, new Error('source broke')).pipe(
        recoverWithContext({ label: 'l', process: upper }),
      );
      expectObservable(result).toBe('A-#', { A: 'A' }, new Error('source broke'));
    });
    expect(reports).toEqual([]);
  });

  it('limits concurrency, keeping order with concurrency 1', () => {
    testScheduler().run(({ cold, expectObservable }) => {
      const result = cold('(ab)|').pipe(
        recoverWithContext({ label: 'l', concurrency: 1, process: (s) => cold('--x|', { x: s }) }),
      );
      expectObservable(result).toBe('--a--b|');
    });
  });

  describe('fallback', () => {
    it('emits what fallback returns in place of the failed item, with the report', () => {
      const seen: [string, string][] = [];
      testScheduler().run(({ cold, expectObservable }) => {
        const result = cold('a-b|').pipe(
          recoverWithContext<string, string>({
            label: 'l',
            process: failOn('a'),
            fallback: (item, report) => {
              seen.push([item, report.label]);
              return `failed:${item}`;
            },
          }),
        );
        expectObservable(result).toBe('f-b|', { f: 'failed:a', b: 'B' });
      });
      expect(seen).toEqual([['a', 'l']]);
    });

    it('may return EMPTY (e.g. after requeueing the delivery)', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const result = cold('a-b|').pipe(
          recoverWithContext({ label: 'l', process: failOn('a'), fallback: () => EMPTY }),
        );
        expectObservable(result).toBe('--b|', { b: 'B' });
      });
    });

    it('reports a fallback that throws under <label>.fallback and skips the item', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const result = cold('a-b|').pipe(
          recoverWithContext({
            label: 'l',
            process: failOn('a'),
            context: (s) => ({ item: s }),
            fallback: () => {
              throw new Error('fallback broke');
            },
          }),
        );
        expectObservable(result).toBe('--b|', { b: 'B' });
      });
      expect(reports.map((r) => [r.label, r.context])).toEqual([
        ['l', { item: 'a' }],
        ['l.fallback', { item: 'a' }],
      ]);
    });
  });

  describe('with an operator chain', () => {
    it('runs the chain on each item alone, so a failure ends only that item', () => {
      testScheduler().run(({ cold, expectObservable }) => {
        const result = cold('a---b---c---|').pipe(
          recoverWithContext({
            label: 'chain',
            operator: (items: Observable<string>) =>
              items.pipe(
                map(upper),
                mergeMap((s) => (s === 'B' ? throwError(() => new Error('chain failed')) : of(s, s))),
              ),
          }),
        );
        expectObservable(result).toBe('(aa)----(cc)|', { a: 'A', c: 'C' });
      });
      expect(reports.map((r) => [r.label, (r.error.cause as Error).message])).toEqual([
        ['chain', 'chain failed'],
      ]);
    });
  });

  it('throws a TypeError when given neither process nor operator', () => {
    expect(() => recoverWithContext({ label: 'l' } as never)).toThrowError(TypeError);
  });
});
