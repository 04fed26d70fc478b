/**
 * Well-known keys of `Message.body`.
 *
 * @packageDocumentation
 */

/**
 * The body keys rxmini itself reads and writes.
 *
 * @example
 * ```ts
 * import { BodyKey } from 'rxmini';
 * const body = { [BodyKey.RESULT]: { token: 'jwt123' } }; // { result: { token: 'jwt123' } }
 * ```
 */
export const BodyKey = {
  /** Why a request failed: a string, set by `setError`. */
  ERROR: 'error',
  /** What a request produced, set by `setResult`. */
  RESULT: 'result',
  /** The arguments of a request, for actions that take their input under one key. */
  INPUT: 'input',
  /** Every failing field of a rejected request (a `FieldIssue[]`), beside `error`, set by a service on a 400. */
  ISSUES: 'issues',
} as const;

/** Union of every {@link BodyKey} value. */
export type BodyKey = (typeof BodyKey)[keyof typeof BodyKey];
