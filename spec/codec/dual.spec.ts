import { pipe } from 'fp-ts/lib/function.js';
import { dual } from '../../src/codec/dual.js';

describe('dual', () => {
  const add = dual<{ (a: number, b: number): number; (b: number): (a: number) => number }>(
    2,
    (a: number, b: number) => a * 10 + b,
  );

  it('calls the body directly when given the full argument count', () => {
    expect(add(1, 2)).toBe(12);
  });

  it('returns a data-last function when given one argument fewer', () => {
    expect(pipe(1, add(2))).toBe(12);
  });

  it('passes the data first, whatever the form', () => {
    expect(add(3)(4)).toBe(43);
  });
});
