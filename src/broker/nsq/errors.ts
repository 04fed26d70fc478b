/**
 * Errors raised by the NSQ connection layer, beside the shared ones in
 * `src/errors.ts` (`InvalidNameError`, `PayloadTooLargeError`, `TimeoutError`,
 * `TransportClosedError`, `EmptyMessageError`, `BadRequestError`).
 *
 * @packageDocumentation
 */
import { ErrorCode, RxMiniError, TimeoutError, type RxMiniErrorOptions } from '../../errors.js';

/**
 * A publish was sent to nsqd but not acknowledged: nsqd answered with an error
 * (every publish error is fatal in NSQ, so the connection closed) or the
 * connection died before the `OK` arrived.
 *
 * When `ambiguous` is true the message may or may not have been queued by nsqd:
 * a retry can duplicate it (at-least-once). When false, nsqd rejected it.
 *
 * @example
 * ```ts
 * import { PublishFailedError, createNsqPublisher } from 'rxmini/nsq';
 * const publisher = createNsqPublisher({ nsqd: '127.0.0.1:4150' });
 * const body = JSON.stringify({ id: 1 });
 * try {
 *   await publisher.publish('orders', body);
 * } catch (e) {
 *   if (e instanceof PublishFailedError && e.ambiguous) await publisher.publish('orders', body); // may duplicate
 * }
 * ```
 */
export class PublishFailedError extends RxMiniError {
  readonly code = ErrorCode.PUBLISH_FAILED;
  constructor(
    /** The topic published to. */
    readonly topic: string,
    /** True when nsqd may have queued the message anyway (the connection died before its answer). */
    readonly ambiguous: boolean,
    /** What nsqd or the socket said. */
    readonly reason: string,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `publish to ${topic} failed${ambiguous ? ' (delivery unknown: the connection closed before nsqd answered)' : ''}: ${reason}`,
      options,
    );
  }
}

/**
 * The publisher already holds `limit` publishes that are not acknowledged yet
 * (typically because nsqd is unreachable); this one is refused at once rather
 * than buffered without bound.
 *
 * @example
 * ```ts
 * import { PublishQueueFullError, createNsqPublisher } from 'rxmini/nsq';
 * const publisher = createNsqPublisher({ nsqd: '127.0.0.1:4150' });
 * publisher.publish('orders', JSON.stringify({ id: 1 })).catch((e) => {
 *   if (e instanceof PublishQueueFullError) log.warn('slow down', { waiting: e.limit });
 * });
 * ```
 */
export class PublishQueueFullError extends RxMiniError {
  readonly code = ErrorCode.QUEUE_FULL;
  constructor(
    /** The topic of the refused publish. */
    readonly topic: string,
    /** The bound (`maxQueued`) that was reached. */
    readonly limit: number,
    options?: RxMiniErrorOptions,
  ) {
    super(`publish to ${topic} refused: ${limit} publishes are already waiting for nsqd`, options);
  }
}

/** `: last connection error: …` for a cause, else nothing. */
const lastError = (options: RxMiniErrorOptions | undefined): string => {
  const cause = options?.cause;
  if (cause === undefined) return '';
  return `: last connection error: ${cause instanceof Error ? cause.message || cause.name : String(cause)}`;
};

/**
 * A publish was not acknowledged within `publishTimeoutMs`. When `ambiguous` is
 * false it never left the process (no connection to nsqd was ready the whole
 * time); when true it was written to nsqd and its `OK` did not come back in
 * time, so nsqd may have queued it. Its `cause`, when there is one, is the last
 * connection error (refused dial, TLS or AUTH failure, connect timeout), which
 * its message also names.
 *
 * @example
 * ```ts
 * import { timer } from 'rxjs';
 * import { TimeoutError } from 'rxmini';
 * import { PublishTimeoutError, createNsqPublisher } from 'rxmini/nsq';
 * const publisher = createNsqPublisher({ nsqd: '127.0.0.1:4150' });
 * const publish = () => publisher.publish('orders', JSON.stringify({ id: 1 }));
 * publish().catch((e) => {
 *   if (e instanceof TimeoutError) log.warn('publish timed out', { after: e.timeoutMs }); // also for PublishTimeoutError
 *   if (e instanceof PublishTimeoutError && !e.ambiguous) timer(1_000).subscribe(() => void publish()); // it never left
 * });
 * ```
 */
export class PublishTimeoutError extends TimeoutError {
  constructor(
    /** The topic published to. */
    readonly topic: string,
    timeoutMs: number,
    /** True when the message was sent and nsqd may have queued it. */
    readonly ambiguous: boolean,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `publish to ${topic}${ambiguous ? ' (sent, not acknowledged)' : ' (not sent: no connection was ready)'}`,
      timeoutMs,
      options,
    );
    // after "timed out after N ms"; V8 formats `stack` when it is first read, so it shows this too
    this.message += lastError(options);
  }
}
