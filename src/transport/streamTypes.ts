/**
 * Options and results of streaming replies.
 *
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';
import type { JsonValue } from '../codec/json.js';

/**
 * Options of {@link Transport.requestStream}.
 *
 * @example
 * ```ts
 * import type { RequestStreamOptions } from 'rxmini';
 * const options: RequestStreamOptions = { timeout: 2_000, idleTimeout: 10_000, window: 64 };
 * ```
 */
export interface RequestStreamOptions {
  /** How long to wait for the first reply, in ms; default the transport's `requestTimeoutMs`. */
  readonly timeout?: number;
  /** Longest gap between two replies after the first, in ms; default `timeout`. */
  readonly idleTimeout?: number;
  /**
   * Most items the responder may send beyond those the subscriber has
   * consumed (1–{@link MAX_STREAM_WINDOW}); default {@link DEFAULT_STREAM_WINDOW}.
   * It bounds the memory of both sides; a larger one hides more round trips.
   */
  readonly window?: number;
  /** Extra header values (trace context, …). */
  readonly header?: Readonly<Record<string, string>>;
  /** The conversation id to use; default a fresh UUID. Must not be open already. */
  readonly contextID?: string;
}

/** What a stream carries: JSON values (in `body.result`) or bytes (in `rawBody`). */
export type StreamItem = JsonValue | Uint8Array;

/**
 * What {@link Transport.respondStream} sends: an Observable, subscribed at
 * once and buffered while it runs ahead of the credits (up to `maxBuffered`),
 * or an `AsyncIterable` (an async generator, a cursor), pulled only while
 * credits allow: only the latter holds a fast producer back.
 *
 * @example
 * ```ts
 * import { range } from 'rxjs';
 * import type { StreamSource } from 'rxmini';
 * const pushed: StreamSource = range(0, 100);
 * const pulled: StreamSource = (async function* () {
 *   for (let i = 0; i < 100; i++) yield { i };
 * })();
 * ```
 */
export type StreamSource = Observable<StreamItem> | AsyncIterable<StreamItem>;

/**
 * Options of {@link Transport.respondStream}.
 *
 * @example
 * ```ts
 * import type { RespondStreamOptions } from 'rxmini';
 * const options: RespondStreamOptions = { maxBuffered: 1_000 };
 * ```
 */
export interface RespondStreamOptions {
  /**
   * Most items an Observable source may run ahead of the credits before the
   * stream fails with a `StreamOverflowError` (an error reply to the requester,
   * the source unsubscribed); default 10,000. `Infinity` for no bound.
   */
  readonly maxBuffered?: number;
}

/**
 * How a stream ended on the responder's side (what `respondStream` resolves to):
 * - `complete`: the source completed, the final reply is sent;
 * - `error`: the source failed (or overflowed), the error reply is sent;
 * - `cancelled`: the requester unsubscribed, the source was stopped;
 * - `abandoned`: no credit came for the requester's idle timeout (it is gone), the source was stopped;
 * - `closed`: the transport closed first: the source was stopped, the requester got an error reply (503).
 *
 * @example
 * ```ts
 * import type { StreamEnd } from 'rxmini';
 * const end: StreamEnd = { reason: 'complete', sent: 10 };
 * ```
 */
export interface StreamEnd {
  readonly reason: 'complete' | 'error' | 'cancelled' | 'abandoned' | 'closed';
  /** Items published. */
  readonly sent: number;
}
