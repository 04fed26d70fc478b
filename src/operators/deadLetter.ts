import { map, type MonoTypeOperatorFunction, type Observable } from 'rxjs';
import type { Message } from '../codec/message.js';
import { RetriesExhaustedError } from '../errors.js';
import { deadLetterOf, deadLetterReason, defaultDeadLetterTopic } from '../delivery/deadLetter.js';
import { asDelivery } from '../delivery/delivery.js';
import { isPromiseLike, knownOutcome } from '../delivery/settled.js';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../delivery/retry.js';
import type { Delivery, FailHandler, FailOutcome } from '../delivery/types.js';

/**
 * Options of {@link deadLetter}.
 *
 * @example
 * ```ts
 * import { memoryTransport, type DeadLetterOptions } from 'rxmini';
 * const bus = memoryTransport();
 * const options: DeadLetterOptions = { publish: bus.publish, topic: (t) => `${t}.failed` };
 * ```
 */
export interface DeadLetterOptions {
  /**
   * Publishes a dead letter: a promise, or a cold Observable that completes
   * once the broker took it (`bus.publish` fits). A rejection or an error
   * means it was not taken.
   */
  readonly publish: (topic: string, message: Message) => PromiseLike<unknown> | Observable<unknown>;
  /** The dead-letter topic: a name, or one made from the delivery's topic; default `<topic>.dead`. */
  readonly topic?: string | ((topic: string) => string);
  /**
   * Delay of the requeue when the publish fails, in ms, or made from the
   * delivery's attempts; default the backoff of {@link DEFAULT_RETRY_POLICY}.
   */
  readonly requeueDelayMs?: number | ((attempts: number) => number);
  /**
   * Called after each dead letter the broker took (`true`) or refused (`false`), e.g. to count them.
   * One that throws is logged and otherwise ignored.
   */
  readonly onPublished?: (ok: boolean) => void;
}

const defaultRequeueDelay = (attempts: number): number => backoffDelay(attempts, DEFAULT_RETRY_POLICY);

/**
 * The failure handler of {@link deadLetter}: publishes the failed message,
 * unchanged but for the reason headers (`x-error`, `x-original-topic`,
 * `x-attempts`), then finishes the delivery. If the publish fails, it requeues
 * the delivery instead: never lost. Always the last word: it does not call `next`.
 *
 * @example
 * ```ts
 * import { deadLetterFailHandler, memoryTransport } from 'rxmini';
 * const bus = memoryTransport();
 * const handler = deadLetterFailHandler({ publish: bus.publish });
 * ```
 */
export const deadLetterFailHandler = (options: DeadLetterOptions): FailHandler => {
  const { publish, onPublished } = options;
  const topicOf = options.topic ?? defaultDeadLetterTopic;
  const delayOf = options.requeueDelayMs ?? defaultRequeueDelay;
  return (failure) => {
    const { delivery, error } = failure;
    const cause = error instanceof RetriesExhaustedError ? error.cause : error;
    const letter = deadLetterOf(delivery.message, {
      reason: deadLetterReason(cause),
      topic: delivery.topic,
      attempts: delivery.attempts,
    });
    return new Promise<FailOutcome>((resolve, reject) => {
      let deadLetterTopic = '';
      // called from a publish callback, where a throw would leave the promise pending and the delivery unacknowledged
      const report = (ok: boolean): void => {
        try {
          onPublished?.(ok);
        } catch (thrown) {
          delivery.logger.error('dead letter: onPublished threw', { error: deadLetterReason(thrown) });
        }
      };
      const onTaken = (): void => {
        report(true);
        resolve(failure.finish() ? 'dead-lettered' : 'ignored');
      };
      const onRefused = (publishError: unknown): void => {
        report(false);
        delivery.logger.error('dead letter: publish failed, requeueing', {
          deadLetterTopic,
          error: deadLetterReason(publishError),
        });
        try {
          const delay = typeof delayOf === 'number' ? delayOf : delayOf(delivery.attempts);
          resolve(failure.requeue(delay) ? 'requeued' : 'ignored');
        } catch (thrown) {
          reject(thrown); // Delivery.fail requeues at once
        }
      };
      try {
        deadLetterTopic = typeof topicOf === 'string' ? topicOf : topicOf(delivery.topic);
        const sending = publish(deadLetterTopic, letter);
        const known = isPromiseLike(sending) ? knownOutcome(sending) : undefined;
        if (known) {
          // bus.publish that the broker answered at once: finished now, in virtual time too
          if (known.ok) onTaken();
          else onRefused(known.error);
        } else if (isPromiseLike(sending)) sending.then(onTaken, onRefused);
        else sending.subscribe({ error: onRefused, complete: onTaken });
      } catch (thrown) {
        onRefused(thrown);
      }
    });
  };
};

/**
 * Dead-letters failed deliveries: each delivery that passes gets a failure
 * handler that publishes it to a dead-letter topic with the reason in its
 * header, then finishes it; if that publish fails, it is requeued, never lost.
 * It takes every failure that reaches it: place it before
 * {@link retryWithBackoff}, which hands over only what it gives up on.
 *
 * The transport's `retry` option attaches this operator's failure handler (with
 * `<topic>.dead`, or its `deadLetterTopic` option) to every delivery of every subscription.
 *
 * @example
 * ```ts
 * import { deadLetter, handleDeliveries, memoryTransport } from 'rxmini';
 * const bus = memoryTransport();
 * bus
 *   .subscribeTopic('audit.events')
 *   .pipe(
 *     deadLetter({ publish: bus.publish, topic: 'audit.rejected' }), // no retries: straight to audit.rejected
 *     handleDeliveries(async (d) => {
 *       if (!d.message.body) throw new Error('empty audit event');
 *     }),
 *   )
 *   .subscribe();
 * ```
 * @see {@link retryWithBackoff}
 */
export const deadLetter = <D extends Delivery>(options: DeadLetterOptions): MonoTypeOperatorFunction<D> => {
  if (typeof options?.publish !== 'function') throw new TypeError('deadLetter needs a publish function');
  const handler = deadLetterFailHandler(options);
  return map((delivery) => asDelivery(delivery, 'deadLetter').withFailHandler(handler) as D);
};
