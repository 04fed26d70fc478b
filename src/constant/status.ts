/**
 * Status codes of responses and health levels of nodes.
 *
 * @packageDocumentation
 */

/**
 * The status codes rxmini puts in `Message.statusCode` of a response (HTTP numbering).
 *
 * @example
 * ```ts
 * import { StatusCode, newResponse } from 'rxmini';
 * const reply = newResponse('c0ffee', StatusCode.NOT_FOUND); // statusCode 404
 * ```
 */
export const StatusCode = {
  OK: 200,
  BAD_REQUEST: 400,
  NOT_FOUND: 404,
  INTERNAL: 500,
  TIMEOUT: 504,
} as const;

/** Union of every {@link StatusCode} value. */
export type StatusCode = (typeof StatusCode)[keyof typeof StatusCode];

/**
 * Health level of a node, from best to worst; a larger number is worse, so levels compare with `>`.
 *
 * @example
 * ```ts
 * import { HealthStatus } from 'rxmini';
 * const worst = Math.max(HealthStatus.OK, HealthStatus.CRITICAL); // 2, CRITICAL
 * ```
 * @see {@link HealthStatusName}
 */
export const HealthStatus = {
  OK: 0,
  WARNING: 1,
  CRITICAL: 2,
} as const;

/** Union of every {@link HealthStatus} value (`0 | 1 | 2`). */
export type HealthStatus = (typeof HealthStatus)[keyof typeof HealthStatus];

/**
 * The name of each {@link HealthStatus} level, indexed by its number.
 *
 * @example
 * ```ts
 * import { HealthStatus, HealthStatusName } from 'rxmini';
 * HealthStatusName[HealthStatus.WARNING]; // 'WARNING'
 * ```
 */
export const HealthStatusName = {
  [HealthStatus.OK]: 'OK',
  [HealthStatus.WARNING]: 'WARNING',
  [HealthStatus.CRITICAL]: 'CRITICAL',
} as const;

/** Union of every {@link HealthStatusName} value (`'OK' | 'WARNING' | 'CRITICAL'`). */
export type HealthStatusName = (typeof HealthStatusName)[keyof typeof HealthStatusName];

/**
 * True when `value` is one of the {@link HealthStatus} numbers.
 *
 * @example
 * ```ts
 * import { isHealthStatus } from 'rxmini';
 * isHealthStatus(1); // true
 * isHealthStatus(3); // false
 * ```
 */
export const isHealthStatus = (value: unknown): value is HealthStatus =>
  value === HealthStatus.OK || value === HealthStatus.WARNING || value === HealthStatus.CRITICAL;
