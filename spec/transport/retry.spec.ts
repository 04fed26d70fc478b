import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { ConfigError } from '../../src/errors.js';
import { DEFAULT_RETRY_POLICY, checkRetryPolicy } from '../../src/delivery/retry.js';
import { resolveRetryPolicy } from '../../src/transport/retry.js';
import type { RetryPolicy } from '../../src/delivery/types.js';

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
});
