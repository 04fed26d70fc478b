/**
 * Errors of the message-level transport.
 *
 * @packageDocumentation
 */
import type { Message } from '../codec/message.js';
import { ErrorCode, RxMiniError, type RxMiniErrorOptions } from '../errors.js';

/** The closest {@link ErrorCode} to an HTTP-style status. */
const codeOfStatus = (status: number): ErrorCode => {
  switch (status) {
    case 400:
      return ErrorCode.BAD_REQUEST;
    case 404:
      return ErrorCode.NOT_FOUND;
    case 408:
    case 504:
      return ErrorCode.TIMEOUT;
    case 409:
      return ErrorCode.DUPLICATE;
    case 413:
      return ErrorCode.PAYLOAD_TOO_LARGE;
    case 422:
      return ErrorCode.VALIDATION;
    case 503:
      return ErrorCode.NO_NODES;
    default:
      // a remote handler failed
      return status >= 500 ? ErrorCode.REMOTE : ErrorCode.BAD_REQUEST;
  }
};

/**
 * A request got a response that reports a failure: `body.error` was set or the
 * status was 400 or more. `code` follows the status (400 → `BAD_REQUEST`,
 * 404 → `NOT_FOUND`, 504 → `TIMEOUT`, other 5xx → `REMOTE`, …).
 *
 * @example
 * ```ts
 * import { ResponseError } from 'rxmini';
 * bus.request('auth.login', { email: 'ada@example.com' }).subscribe({
 *   error: (e) => {
 *     if (e instanceof ResponseError && e.statusCode === 404) log.info('no such user');
 *   },
 * });
 * ```
 */
export class ResponseError extends RxMiniError {
  readonly code: ErrorCode;
  constructor(
    /** The action that was called. */
    readonly action: string,
    /** The response's status (500 when it had none but carried an error). */
    readonly statusCode: number,
    /** The remote error text (`body.error`), or `''`. */
    readonly remoteMessage: string,
    /** The whole response, for anything else it carries. */
    readonly response: Message,
    options?: RxMiniErrorOptions,
  ) {
    super(`${action} failed with status ${statusCode}${remoteMessage ? `: ${remoteMessage}` : ''}`, options);
    this.code = codeOfStatus(statusCode);
  }
}
