/**
 * Errors of streaming replies.
 *
 * @packageDocumentation
 */
import { ErrorCode, RxMiniError, type RxMiniErrorOptions } from '../errors.js';

/**
 * A stream got no reply for `idleTimeoutMs` after its first one: the responder
 * died, or its source went quiet for longer than the requester allows.
 *
 * @example
 * ```ts
 * import { StreamIdleError } from 'rxmini';
 * bus.requestStream('report.rows', {}, { idleTimeout: 5_000 }).subscribe({
 *   error: (e) => {
 *     if (e instanceof StreamIdleError) log.warn(`stalled after ${e.received} items`);
 *   },
 * });
 * ```
 */
export class StreamIdleError extends RxMiniError {
  readonly code = ErrorCode.TIMEOUT;
  constructor(
    /** The action that was called. */
    readonly action: string,
    /** The idle timeout that ran out, in ms. */
    readonly idleTimeoutMs: number,
    /** Items emitted before it. */
    readonly received: number,
    options?: RxMiniErrorOptions,
  ) {
    super(`stream ${action} got no reply for ${idleTimeoutMs} ms after ${received} items`, options);
  }
}

/**
 * A stream reply broke the protocol: a sequence number missing or beyond the
 * window (the responder ran further ahead than the requester allowed).
 *
 * @example
 * ```ts
 * import { StreamProtocolError } from 'rxmini';
 * const error = new StreamProtocolError('report.rows', 'sequence 900 is beyond the window');
 * error.code; // 'DECODE'
 * ```
 */
export class StreamProtocolError extends RxMiniError {
  readonly code = ErrorCode.DECODE;
  constructor(
    /** The action that was called. */
    readonly action: string,
    /** What was wrong. */
    readonly reason: string,
    options?: RxMiniErrorOptions,
  ) {
    super(`stream ${action}: ${reason}`, options);
  }
}

/**
 * A push source (an Observable) ran more than `maxBuffered` items ahead of
 * the credits: the responder stops it rather than buffer without bound. A
 * source that can wait (an `AsyncIterable`, pulled only on credit) never does.
 *
 * @example
 * ```ts
 * import { StreamOverflowError } from 'rxmini';
 * const error = new StreamOverflowError('c-1', 10_000);
 * error.code; // 'CAPACITY'
 * ```
 */
export class StreamOverflowError extends RxMiniError {
  readonly code = ErrorCode.CAPACITY;
  constructor(
    /** The stream's context id. */
    readonly contextID: string,
    /** The bound that was passed. */
    readonly maxBuffered: number,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `stream ${contextID}: the source ran more than ${maxBuffered} items ahead of the requester`,
      options,
    );
  }
}
