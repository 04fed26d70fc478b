import { ErrorCode, RxMiniError, type RxMiniErrorOptions } from '../errors.js';

/**
 * A metric name (or prefix) was rejected: bad syntax, already used with another
 * kind, colliding with another name once exposed to Prometheus, or the registry
 * is full. Names are validated, never silently rewritten in the registry.
 *
 * @example
 * ```ts
 * import { createMetrics, InvalidMetricNameError } from 'rxmini';
 * try {
 *   createMetrics().inc('9 lives');
 * } catch (e) {
 *   if (e instanceof InvalidMetricNameError) e.reason; // 'must match …'
 * }
 * ```
 */
export class InvalidMetricNameError extends RxMiniError {
  readonly code = ErrorCode.INVALID_NAME;
  constructor(
    /** The rejected name or prefix. */
    readonly metric: string,
    /** Why it was rejected. */
    readonly reason: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`invalid metric name ${JSON.stringify(metric)}: ${reason}`, options);
  }
}

/**
 * A metric value was rejected: not finite, a negative latency, a counter asked
 * to go down, or histogram buckets that are not ascending.
 *
 * @example
 * ```ts
 * import { createMetrics, InvalidMetricValueError } from 'rxmini';
 * try {
 *   createMetrics().add('requests', -1);
 * } catch (e) {
 *   if (e instanceof InvalidMetricValueError) e.value; // -1
 * }
 * ```
 */
export class InvalidMetricValueError extends RxMiniError {
  readonly code = ErrorCode.INVALID_VALUE;
  constructor(
    /** The metric written to (`'(buckets)'` for a bucket list). */
    readonly metric: string,
    /** The rejected value. */
    readonly value: number | readonly number[],
    /** Why it was rejected. */
    readonly reason: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`invalid value ${String(value)} for metric ${JSON.stringify(metric)}: ${reason}`, options);
  }
}
