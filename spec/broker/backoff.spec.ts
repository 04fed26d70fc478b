import { exponentialBackoff } from '../../src/broker/backoff.js';

describe('exponentialBackoff', () => {
  const spacing = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

  it('grows by factor from initialMs, one step per retry, and stops at maxMs', () => {
    expect([0, 1, 2, 3, 4, 50].map((n) => exponentialBackoff(n, spacing))).toEqual([
      100, 200, 400, 800, 1_000, 1_000,
    ]);
  });

  it('spreads by ±jitter around the middle of the random source, never above maxMs', () => {
    const jittered = { ...spacing, jitter: 0.2 };
    expect(exponentialBackoff(0, jittered, () => 0)).toBe(80);
    expect(exponentialBackoff(0, jittered, () => 0.5)).toBe(100);
    expect(exponentialBackoff(0, jittered, () => 0.999999)).toBe(120);
    expect(exponentialBackoff(10, jittered, () => 0.999999)).toBe(1_000);
  });

  it('counts a bad retry number as 0 and rounds a fractional one down', () => {
    expect(exponentialBackoff(Number.NaN, spacing)).toBe(100);
    expect(exponentialBackoff(Number.POSITIVE_INFINITY, spacing)).toBe(100);
    expect(exponentialBackoff(-3, spacing)).toBe(100);
    expect(exponentialBackoff(2.9, spacing)).toBe(400);
  });

  it('clamps a random source outside [0, 1] and treats NaN as no spread', () => {
    const jittered = { ...spacing, jitter: 0.2 };
    expect(exponentialBackoff(0, jittered, () => 7)).toBe(120);
    expect(exponentialBackoff(0, jittered, () => -7)).toBe(80);
    expect(exponentialBackoff(0, jittered, () => Number.NaN)).toBe(100);
  });
});
