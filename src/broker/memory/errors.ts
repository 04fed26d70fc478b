/**
 * Errors of the memory broker, beside the shared ones in `src/errors.ts`
 * (`InvalidNameError`, `PayloadTooLargeError`, `EmptyMessageError`,
 * `BadRequestError`, `TransportClosedError`).
 *
 * @packageDocumentation
 */
import { ErrorCode, RxMiniError, type RxMiniErrorOptions } from '../../errors.js';

/** Which bounded queue of the memory broker refused a publish. */
export type BrokerQueue = 'topic' | 'channel' | 'deferred';

/**
 * A publish was refused because a bounded queue of the memory broker is full:
 * the topic's queue (no channel yet), a channel's messages (queued, deferred and
 * in flight), or the topic's pending deferred publishes. Only non-ephemeral
 * queues refuse; ephemeral ones drop the overflow, as nsqd does, and count it.
 *
 * @example
 * ```ts
 * import { memoryBroker, QueueFullError } from 'rxmini';
 * const broker = memoryBroker({ maxQueuedPerTopic: 1 });
 * broker.publish('orders', new Uint8Array([1])).subscribe();
 * broker.publish('orders', new Uint8Array([2])).subscribe({
 *   error: (e) => e instanceof QueueFullError && e.queue === 'topic', // true
 * });
 * ```
 * @see {@link MemoryBrokerOptions}
 */
export class QueueFullError extends RxMiniError {
  readonly code = ErrorCode.CAPACITY;
  constructor(
    /** The topic published to. */
    readonly topic: string,
    /** The full channel, when `queue` is `'channel'`. */
    readonly channel: string | undefined,
    /** Which queue is full. */
    readonly queue: BrokerQueue,
    /** The bound that was reached. */
    readonly limit: number,
    options?: RxMiniErrorOptions,
  ) {
    super(
      `publish to ${topic} refused: ${
        queue === 'channel'
          ? `channel ${String(channel)} holds`
          : queue === 'topic'
            ? 'the topic (no channel yet) holds'
            : 'the topic has'
      } ${limit} ${queue === 'deferred' ? 'deferred publishes pending' : 'messages'}`,
      options,
    );
  }
}
