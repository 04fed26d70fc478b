import { InvalidLogLevelError } from '../../src/errors.js';
import { isLevelEnabled, isLogLevel, levelCell, parseLogLevel } from '../../src/logger/levels.js';

describe('levels', () => {
  describe('parseLogLevel', () => {
    it('accepts the four names, ignoring case and blanks', () => {
      expect(['debug', 'info', 'warn', 'error'].map(parseLogLevel)).toEqual([
        'debug',
        'info',
        'warn',
        'error',
      ]);
      expect(parseLogLevel(' WARN ')).toBe('warn');
    });

    it('throws InvalidLogLevelError naming the bad value', () => {
      for (const bad of ['warning', '', 'trace', 'fatal', 'inf']) {
        expect(() => parseLogLevel(bad)).toThrowError(InvalidLogLevelError);
      }
      try {
        parseLogLevel('warning');
        fail('expected a throw');
      } catch (error) {
        expect((error as InvalidLogLevelError).level).toBe('warning');
        expect((error as InvalidLogLevelError).code).toBe('INVALID_LOG_LEVEL');
      }
    });
  });

  it('isLogLevel is exact (lower case only)', () => {
    expect(isLogLevel('info')).toBeTrue();
    expect(isLogLevel('INFO')).toBeFalse();
    expect(isLogLevel('toString')).toBeFalse();
    expect(isLogLevel(1)).toBeFalse();
  });

  it('isLevelEnabled orders debug < info < warn < error', () => {
    expect(isLevelEnabled('debug', 'info')).toBeFalse();
    expect(isLevelEnabled('info', 'info')).toBeTrue();
    expect(isLevelEnabled('error', 'warn')).toBeTrue();
    expect(isLevelEnabled('warn', 'error')).toBeFalse();
  });

  describe('levelCell', () => {
    it('a child follows its parent until set, then keeps its own level', () => {
      const root = levelCell('info');
      const child = root.child();
      const grandchild = child.child();
      root.set('warn');
      expect(grandchild.get()).toBe('warn');
      child.set('debug');
      expect(grandchild.get()).toBe('debug');
      expect(root.get()).toBe('warn');
      root.set('error');
      expect(child.get()).toBe('debug');
    });
  });
});
