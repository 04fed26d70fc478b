import { frozenCopy, isPlainObject, show, toBoolean, toInteger, toNumber } from '../../src/config/coerce.js';

describe('coerce', () => {
  it('toNumber reads numbers and numeric strings only', () => {
    expect(toNumber(3)).toBe(3);
    expect(toNumber(' 8080 ')).toBe(8080);
    expect(toNumber('-1.5')).toBe(-1.5);
    expect(toNumber('1e3')).toBe(1000);
    for (const bad of ['', ' ', 'abc', '12px', '0x10', 'Infinity', NaN, Infinity, null, true, [1]]) {
      expect(toNumber(bad)).withContext(String(bad)).toBeUndefined();
    }
  });

  it('toInteger rejects fractions', () => {
    expect(toInteger('42')).toBe(42);
    expect(toInteger(-7)).toBe(-7);
    expect(toInteger('4.2')).toBeUndefined();
    expect(toInteger(4.2)).toBeUndefined();
    expect(toInteger('1e30')).toBeUndefined();
  });

  it('toBoolean reads true/false/1/0 in any case and nothing else', () => {
    expect(['true', 'TRUE', ' 1 ', true, 1].map(toBoolean)).toEqual([true, true, true, true, true]);
    expect(['false', 'False', '0', false, 0].map(toBoolean)).toEqual([false, false, false, false, false]);
    expect(['yes', 'no', '', 2, null].map(toBoolean)).toEqual([
      undefined,
      undefined,
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('show quotes strings and cuts long values', () => {
    expect(show('abc')).toBe('"abc"');
    expect(show(undefined)).toBe('undefined');
    expect(show('x'.repeat(200)).length).toBe(80);
  });

  it('isPlainObject tells data from instances', () => {
    expect(isPlainObject({})).toBeTrue();
    expect(isPlainObject(Object.create(null))).toBeTrue();
    expect(isPlainObject([])).toBeFalse();
    expect(isPlainObject(new Date())).toBeFalse();
    expect(isPlainObject(null)).toBeFalse();
  });

  it('frozenCopy deep-copies and freezes data, drops undefined, keeps __proto__ as data', () => {
    const source = JSON.parse('{"a":{"b":[1,{"c":2}]},"__proto__":{"polluted":true}}') as Record<
      string,
      unknown
    >;
    const copy = frozenCopy<Record<string, unknown>>({ ...source, gone: undefined });
    expect(copy).toEqual(source);
    expect(copy).not.toBe(source);
    expect(Object.isFrozen(copy)).toBeTrue();
    expect(Object.isFrozen((copy['a'] as { b: unknown[] }).b)).toBeTrue();
    expect('gone' in copy).toBeFalse();
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.getPrototypeOf(copy)).toBe(Object.prototype);
  });
});
