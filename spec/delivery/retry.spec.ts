import { DEFAULT_RETRY_POLICY, backoffDelay, shouldRetry } from '../../src/delivery/retry.js';
import type { RetryPolicy } from '../../src/delivery/types.js';

describe('delivery/retry', () => {
  describe('backoffDelay', () => {
    const policy: RetryPolicy = {
      maxAttempts: 10,
      initialDelayMs: 100,
      factor: 2,
      maxDelayMs: 1_000,
      jitter: 0.2,
    };
    const middle = (): number => 0.5;

    it('grows by factor per attempt from initialDelayMs, capped at maxDelayMs', () => {
      expect([1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, policy, middle))).toEqual([
        100, 200, 400, 800, 1_000, 1_000,
      ]);
    });

    it('spreads by ±jitter and never exceeds maxDelayMs', () => {
      expect(backoffDelay(1, policy, () => 0)).toBe(80);
      expect(backoffDelay(1, policy, () => 0.999999)).toBe(120);
      expect(backoffDelay(5, policy, () => 0.999999)).toBe(1_000);
      expect(backoffDelay(5, policy, () => 0)).toBe(800);
    });

    it('survives a bad random source and bad attempts', () => {
      expect(backoffDelay(1, policy, () => Number.NaN)).toBe(100);
      expect(backoffDelay(1, policy, () => 7)).toBe(120);
      expect(backoffDelay(0, policy, middle)).toBe(100);
      expect(backoffDelay(Number.NaN, policy, middle)).toBe(100);
    });

    it('is constant with factor 1 and no jitter', () => {
      const flat = { ...policy, factor: 1, jitter: 0 };
      expect([1, 5, 50].map((n) => backoffDelay(n, flat))).toEqual([100, 100, 100]);
    });
  });

  describe('shouldRetry', () => {
    it('retries until maxAttempts deliveries were made', () => {
      const policy = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3 };
      expect([1, 2, 3, 4].map((n) => shouldRetry(n, policy, new Error('x')))).toEqual([
        true,
        true,
        false,
        false,
      ]);
    });

    it('asks retryable, and treats a throwing retryable as "do not retry"', () => {
      const policy = { ...DEFAULT_RETRY_POLICY, retryable: (e: unknown) => !(e instanceof TypeError) };
      expect(shouldRetry(1, policy, new Error('db down'))).toBeTrue();
      expect(shouldRetry(1, policy, new TypeError('bad input'))).toBeFalse();
      const throwing = {
        ...DEFAULT_RETRY_POLICY,
        retryable: (): boolean => {
          throw new Error('oops');
        },
      };
      expect(shouldRetry(1, throwing, new Error('x'))).toBeFalse();
    });
  });
});
