import { HeaderKey } from '../../src/constant/index.js';

describe('HeaderKey', () => {
  it('uses the W3C trace context names', () => {
    expect(HeaderKey.TRACEPARENT).toBe('traceparent');
    expect(HeaderKey.TRACESTATE).toBe('tracestate');
  });

  it('names the deadline, attempts and dead-letter headers', () => {
    expect(HeaderKey.DEADLINE).toBe('x-deadline');
    expect(HeaderKey.ATTEMPTS).toBe('x-attempts');
    expect(HeaderKey.ERROR).toBe('x-error');
    expect(HeaderKey.ORIGINAL_TOPIC).toBe('x-original-topic');
    expect(HeaderKey.IDEMPOTENCY_KEY).toBe('x-idempotency-key');
  });

  it('keeps every key lower case and distinct, so exact matching is enough', () => {
    const values = Object.values(HeaderKey);
    for (const value of values) expect(value).toBe(value.toLowerCase());
    expect(new Set(values).size).toBe(values.length);
  });
});
