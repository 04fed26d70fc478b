/**
 * The ids of in-process calls: unique, the prefix then a count.
 */
import { idSequence } from '../../src/service/localDelivery.js';

describe('idSequence', () => {
  it('counts from 0000 after the prefix, and goes on past each thousand', () => {
    const next = idSequence('p-');
    const ids = Array.from({ length: 2001 }, () => next());
    expect(ids.slice(0, 3)).toEqual(['p-0000', 'p-0001', 'p-0002']);
    expect(ids[999]).toBe('p-0999');
    expect(ids[1000]).toBe('p-1000');
    expect(ids[1999]).toBe('p-1999');
    expect(ids[2000]).toBe('p-2000');
  });

  it('never gives an id twice', () => {
    const next = idSequence('x');
    const ids = Array.from({ length: 25_000 }, () => next());
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids[24_999]).toBe('x24999');
  });

  it('keeps a count per sequence', () => {
    const a = idSequence('a');
    const b = idSequence('b');
    a();
    a();
    expect(b()).toBe('b0000');
    expect(a()).toBe('a0002');
  });
});
