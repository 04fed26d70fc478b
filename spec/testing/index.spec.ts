import { of, delay } from 'rxjs';
import { createTestScheduler, memoryLogger, noopLogger } from '../../src/testing/index';

describe('rxmini/testing', () => {
  it('createTestScheduler runs marbles in virtual time with the given assertion', () => {
    const seen: [unknown, unknown][] = [];
    const scheduler = createTestScheduler((actual, expected) => seen.push([actual, expected]));
    scheduler.run(({ expectObservable }) => {
      expectObservable(of('a').pipe(delay(5))).toBe('-----(a|)');
    });
    expect(seen.length).toBe(1);
    expect(seen[0]?.[0]).toEqual(seen[0]?.[1]);
  });

  it('createTestScheduler reports a mismatch through the assertion', () => {
    const seen: [unknown, unknown][] = [];
    const scheduler = createTestScheduler((actual, expected) => seen.push([actual, expected]));
    scheduler.run(({ expectObservable }) => {
      expectObservable(of('a')).toBe('-a|');
    });
    expect(seen[0]?.[0]).not.toEqual(seen[0]?.[1]);
  });

  it('exposes loggers that record or discard', () => {
    const log = memoryLogger();
    log.info('hello', { n: 1 });
    expect(log.records.length).toBe(1);
    expect(() => noopLogger.info('ignored')).not.toThrow();
  });
});
