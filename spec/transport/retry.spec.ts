import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { ConfigError } from '../../src/errors.js';
import {
  DEFAULT_RETRY_POLICY,
  backoffDelay,
  checkRetryPolicy,
  resolveRetryPolicy,
  shouldRetry,
} from '../../src/transport/retry.js';
import type { RetryPolicy } from '../../src/transport/types.js';

const right = <A>(e: Either<unknown, A>): A => {
  if (isLeft(e)) throw new Error(`expected right, got ${String(e.left)}`);
  return e.right;
};

describe('transport/retry', () => {
  describe('resolveRetryPolicy', () => {
    it('gives the default policy when nothing matches', () => {
      expect(right(resolveRetryPolicy({}, 'orders.created'))).toEqual(DEFAULT_RETRY_POLICY);
      expect(right(resolveRetryPolicy({ 'users.': { maxAttempts: 1 } }, 'orders.created'))).toEqual(
        DEFAULT_RETRY_POLICY,
      );
    });

    it('applies "*" as the global default (the original ignored it)', () => {
      expect(right(resolveRetryPolicy({ '*': { maxAttempts: 9 } }, 'anything')).maxAttempts).toBe(9);
    });

    it('lets the exact name beat a longer prefix, a longer prefix beat a shorter one, and fields merge', () => {
      const policies = {
        '*': { maxAttempts: 2, jitter: 0 },
        'orders.': { maxAttempts: 3, initialDelayMs: 50 },
        'orders.created.*': { maxAttempts: 4 },
        'orders.created.eu': { maxAttempts: 5 },
      };
      expect(right(resolveRetryPolicy(policies, 'orders.created.eu'))).toEqual({
        ...DEFAULT_RETRY_POLICY,
        maxAttempts: 5,
        initialDelayMs: 50,
        jitter: 0,
      });
      expect(right(resolveRetryPolicy(policies, 'orders.created.us')).maxAttempts).toBe(4);
      expect(right(resolveRetryPolicy(policies, 'orders.paid')).maxAttempts).toBe(3);
      expect(right(resolveRetryPolicy(policies, 'users.x')).maxAttempts).toBe(2);
    });

    it('treats "orders*" as a prefix without the dot', () => {
      expect(right(resolveRetryPolicy({ 'orders*': { maxAttempts: 7 } }, 'orders_v2')).maxAttempts).toBe(7);
    });

    it('puts the subscription override on top, ignoring undefined fields', () => {
      const policy = right(
        resolveRetryPolicy({ '*': { maxAttempts: 2 } }, 't', { maxAttempts: 8, factor: undefined }),
      );
      expect(policy.maxAttempts).toBe(8);
      expect(policy.factor).toBe(DEFAULT_RETRY_POLICY.factor);
    });

    it('rejects an invalid combination with a ConfigError naming the topic', () => {
      const bad: Partial<RetryPolicy>[] = [
        { maxAttempts: 0 },
        { maxAttempts: 1.5 },
        { factor: 0.5 },
        { jitter: 2 },
        { initialDelayMs: -1 },
        { initialDelayMs: 40_000 },
        { maxDelayMs: 4_000_000 },
        { maxDelayMs: Number.NaN },
      ];
      for (const override of bad) {
        const result = resolveRetryPolicy({}, 'orders', override);
        expect(isLeft(result) && result.left).toEqual(jasmine.any(ConfigError));
        expect(isLeft(result) && result.left.message).toContain('orders');
      }
    });

    it('accepts maxAttempts Infinity (never dead-letter)', () => {
      expect(isRight(checkRetryPolicy({ ...DEFAULT_RETRY_POLICY, maxAttempts: Infinity }))).toBeTrue();
    });
  });

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
