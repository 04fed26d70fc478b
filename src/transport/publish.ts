/**
 * The checks every outgoing message goes through before the broker sees it.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { defer, tap, throwError, type Observable } from 'rxjs';
import type { Message } from '../codec/message.js';
import { validate } from '../codec/validate.js';
import { encode } from '../codec/wire.js';
import { BadRequestError, PayloadTooLargeError, TransportClosedError } from '../errors.js';
import { MAX_TTL_MS } from '../operators/expireAfter.js';
import type { Broker } from './broker.js';
import { TransportMetric, type Counters } from './counters.js';
import { validateTopic } from './names.js';

/** Sends messages, cold: each Observable publishes on subscribe and completes when the broker took it. */
export interface Publisher {
  publish(topic: string, msg: Message): Observable<void>;
  publishDeferred(topic: string, msg: Message, delayMs: number): Observable<void>;
}

/**
 * A {@link Publisher} over `broker`. Before anything is sent, on subscribe:
 * the transport must be open (`TransportClosedError`), the topic valid
 * (`InvalidNameError`), the message valid (`ValidationError`), its body JSON
 * (`BadRequestError`) and its encoding no larger than the broker accepts
 * (`PayloadTooLargeError`). The message is encoded as it is, never rewritten.
 *
 * @example
 * ```ts
 * const publisher = createPublisher(broker, counters, () => false);
 * publisher.publish('orders.created', msg).subscribe({ complete: () => log('acknowledged') });
 * ```
 */
export const createPublisher = (broker: Broker, counters: Counters, isClosed: () => boolean): Publisher => {
  const send = (
    topic: string,
    msg: Message,
    publish: (bytes: Uint8Array) => Observable<void>,
  ): Observable<void> =>
    defer(() => {
      if (isClosed()) return throwError(() => new TransportClosedError(`publish to ${topic}`));
      const name = validateTopic(topic);
      if (isLeft(name)) return throwError(() => name.left);
      const valid = validate(msg);
      if (isLeft(valid)) return throwError(() => valid.left);
      let bytes: Uint8Array;
      try {
        bytes = encode(msg);
      } catch (error) {
        return throwError(
          () => new BadRequestError('cannot encode message: its body is not JSON', { cause: error }),
        );
      }
      if (bytes.length > broker.maxMessageBytes) {
        return throwError(() => new PayloadTooLargeError(bytes.length, broker.maxMessageBytes));
      }
      return publish(bytes).pipe(
        // the broker emits once when it took the message (callers may unsubscribe right then)
        tap({
          next: () => counters.inc(TransportMetric.published),
          error: () => counters.inc(TransportMetric.publishFailed),
        }),
      );
    });

  return {
    publish: (topic, msg) => send(topic, msg, (bytes) => broker.publish(topic, bytes)),
    publishDeferred: (topic, msg, delayMs) =>
      typeof delayMs === 'number' && delayMs >= 0 && delayMs <= MAX_TTL_MS
        ? send(topic, msg, (bytes) => broker.publishDeferred(topic, bytes, delayMs))
        : throwError(
            () =>
              new BadRequestError(`publish delay must be from 0 to ${MAX_TTL_MS} ms, got ${String(delayMs)}`),
          ),
  };
};
