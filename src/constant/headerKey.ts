/**
 * Well-known keys of `Message.header`.
 *
 * @packageDocumentation
 */

/**
 * The header keys rxmini reads and writes. All are lower case; header values are strings.
 *
 * @example
 * ```ts
 * import { HeaderKey, newRequest } from 'rxmini';
 * const msg = newRequest('auth.login');
 * const withBudget = { ...msg, header: { ...msg.header, [HeaderKey.DEADLINE]: '1500' } };
 * ```
 */
export const HeaderKey = {
  /** W3C Trace Context `traceparent` (`00-<trace-id>-<span-id>-<flags>`). */
  TRACEPARENT: 'traceparent',
  /** W3C Trace Context `tracestate`, vendor-specific trace data. */
  TRACESTATE: 'tracestate',
  /**
   * Time budget left for the request, in whole milliseconds as a decimal string. It is relative
   * (not a wall-clock instant) because the clocks of two nodes disagree; each hop subtracts the
   * time it spent before forwarding.
   */
  DEADLINE: 'x-deadline',
  /** How many delivery attempts a message has had, as a decimal string (1 on first delivery). */
  ATTEMPTS: 'x-attempts',
  /** On a dead-lettered message: why it was given up on. */
  ERROR: 'x-error',
  /** On a dead-lettered message: the topic it was first published to. */
  ORIGINAL_TOPIC: 'x-original-topic',
  /** A key the sender chose so that consumers can drop duplicate deliveries. */
  IDEMPOTENCY_KEY: 'x-idempotency-key',
} as const;

/** Union of every {@link HeaderKey} value. */
export type HeaderKey = (typeof HeaderKey)[keyof typeof HeaderKey];
