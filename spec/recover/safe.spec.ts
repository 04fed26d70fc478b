import { isLeft, isRight, left, right, type Either } from 'fp-ts/lib/Either.js';
import { PanicError } from '../../src/errors';
import { memoryLogger } from '../../src/logger/memoryLogger';
import { onPanic } from '../../src/recover/panicHook';
import { safe, safeAsync, type SafeResult } from '../../src/recover/safe';
import type { PanicReport } from '../../src/recover/types';

// compile-time checks of SafeResult: each line fails to type-check if the type is wrong
type Equals<A, B> = (<X>() => X extends A ? 1 : 2) extends <X>() => X extends B ? 1 : 2 ? true : false;
const typeChecks: [
  Equals<SafeResult<number>, Either<PanicError, number>>,
  Equals<SafeResult<Promise<string>>, Promise<Either<PanicError, string>>>,
  Equals<SafeResult<never>, Either<PanicError, never>>,
  Equals<
    SafeResult<number | Promise<number>>,
    Either<PanicError, number> | Promise<Either<PanicError, number>>
  >,
] = [true, true, true, true];

describe('recover/safe', () => {
  let reports: PanicReport[];
  let stop: () => void;

  beforeEach(() => {
    reports = [];
    stop = onPanic((r) => reports.push(r));
  });

  afterEach(() => stop());

  it('has the result types it documents', () => {
    expect(typeChecks).toEqual([true, true, true, true]);
  });

  describe('safe with a synchronous function', () => {
    it('returns right(value) and reports nothing on success', () => {
      expect(safe('ok', () => 42)).toEqual(right(42));
      expect(reports).toEqual([]);
    });

    it('returns left(PanicError) instead of throwing, and reports it with its context', () => {
      const cause = new Error('boom');
      const result = safe(
        'parse',
        (): number => {
          throw cause;
        },
        { context: { file: 'a.json' } },
      );

      expect(isLeft(result)).toBeTrue();
      if (isRight(result)) return;
      expect(result.left).toBeInstanceOf(PanicError);
      expect(result.left.cause).toBe(cause);
      expect(result.left.label).toBe('parse');
      expect(reports.length).toBe(1);
      expect(reports[0]?.error).toBe(result.left);
      expect(reports[0]?.context).toEqual({ file: 'a.json' });
    });

    it('wraps a thrown non-Error value', () => {
      const result = safe('x', () => {
        throw 'just a string';
      });
      expect(result).toEqual(left(jasmine.any(PanicError)));
      if (isLeft(result)) expect(result.left.message).toBe('x: just a string');
    });

    it('logs to the logger of the call', () => {
      const log = memoryLogger();
      safe(
        'x',
        () => {
          throw new Error('e');
        },
        { logger: log },
      );
      expect(log.records.map((r) => [r.level, r.fields['label']])).toEqual([['error', 'x']]);
    });

    it('returns a plain Either when a promise-typed function throws before returning its promise', () => {
      const notAsync = (): Promise<number> => {
        throw new Error('early');
      };
      const result: unknown = safe('x', notAsync);
      expect(result instanceof Promise).toBeFalse();
      expect(isLeft(result as Either<PanicError, number>)).toBeTrue();
    });
  });

  describe('safe with an asynchronous function', () => {
    it('resolves to right(value)', async () => {
      const result = safe('ok', async () => 'v');
      expect(result).toBeInstanceOf(Promise);
      expect(await result).toEqual(right('v'));
      expect(reports).toEqual([]);
    });

    it('resolves (never rejects) to left(PanicError) on a rejection, and reports it once', async () => {
      const cause = new Error('db down');
      const result = await safe('save', async (): Promise<number> => {
        throw cause;
      });

      expect(isLeft(result)).toBeTrue();
      if (isLeft(result)) expect(result.left.cause).toBe(cause);
      expect(reports.map((r) => r.label)).toEqual(['save']);
    });

    it('treats any thenable as asynchronous', async () => {
      const thenable: PromiseLike<number> = { then: (ok) => Promise.resolve(7).then(ok) };
      expect(await safe('t', () => thenable)).toEqual(right(7));
    });
  });

  describe('safeAsync', () => {
    it('returns a promise of right(value) for a plain value', async () => {
      const result = safeAsync('x', () => 3);
      expect(result).toBeInstanceOf(Promise);
      expect(await result).toEqual(right(3));
    });

    it('turns a synchronous throw into a resolved left and reports it', async () => {
      const result = await safeAsync('x', (): number => {
        throw new Error('sync');
      });
      expect(isLeft(result)).toBeTrue();
      expect(reports.map((r) => r.error.message)).toEqual(['x: sync']);
    });

    it('turns a rejection into a resolved left with the context', async () => {
      const result = await safeAsync('x', () => Promise.reject(new Error('async')), { context: { id: 1 } });
      expect(isLeft(result)).toBeTrue();
      expect(reports[0]?.context).toEqual({ id: 1 });
    });
  });
});
