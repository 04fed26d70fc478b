import { InvalidLogLevelError } from '../../src/errors.js';
import { noopLogger } from '../../src/logger/noopLogger.js';

describe('noopLogger', () => {
  it('children are the noop logger itself', () => {
    expect(noopLogger.with('a', 1)).toBe(noopLogger);
    expect(noopLogger.withContext('c')).toBe(noopLogger);
  });

  it('logging returns nothing and does not throw', () => {
    expect(noopLogger.error('x', { a: 1 })).toBeUndefined();
  });

  it('setLevel rejects unknown names and never changes the shared level', () => {
    expect(() => noopLogger.setLevel('warning')).toThrowError(InvalidLogLevelError);
    noopLogger.setLevel('debug');
    expect(noopLogger.level).toBe('error');
    expect(Object.isFrozen(noopLogger)).toBeTrue();
  });
});
