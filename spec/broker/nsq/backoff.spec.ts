import { ConfigError } from '../../../src/errors.js';
import { DEFAULT_RECONNECT, reconnectDelay, resolveReconnect } from '../../../src/broker/nsq/backoff.js';

describe('reconnect backoff', () => {
  const noJitter = { initialMs: 100, maxMs: 1_000, factor: 2, jitter: 0 };

  it('grows exponentially from initialMs and stops at maxMs', () => {
    expect([0, 1, 2, 3, 4, 5, 50].map((n) => reconnectDelay(n, noJitter))).toEqual([
      100, 200, 400, 800, 1000, 1000, 1000,
    ]);
  });

  it('spreads by ±jitter and never exceeds maxMs', () => {
    const options = { ...noJitter, jitter: 0.5 };
    expect(reconnectDelay(0, options, () => 0)).toBe(50);
    expect(reconnectDelay(0, options, () => 0.5)).toBe(100);
    expect(reconnectDelay(0, options, () => 0.999999)).toBe(150);
    expect(reconnectDelay(10, options, () => 0.999999)).toBe(1000);
  });

  it('fills defaults and rejects inconsistent options', () => {
    expect(resolveReconnect({ initialMs: 50 })).toEqual({
      _tag: 'Right',
      right: { ...DEFAULT_RECONNECT, initialMs: 50 },
    });
    for (const bad of [
      { initialMs: -1 },
      { initialMs: 20_000 },
      { factor: 0.5 },
      { jitter: 2 },
      { maxMs: NaN },
    ]) {
      const resolved = resolveReconnect(bad);
      expect(resolved._tag).withContext(JSON.stringify(bad)).toBe('Left');
      if (resolved._tag === 'Left') expect(resolved.left).toBeInstanceOf(ConfigError);
    }
  });
});
