import { isLeft } from 'fp-ts/lib/Either.js';
import { filter, map, pipe, type OperatorFunction } from 'rxjs';
import { decodePayloadBytes, isPayload, type Payload, type PayloadInput } from '../codec/payload.js';
import { asDelivery } from '../delivery/delivery.js';
import type { Delivery } from '../delivery/types.js';

/**
 * Decodes the raw bytes of each delivery (`message.rawBody`) as `payload`
 * says, and passes it on as a `Delivery` whose `input` is the decoded value,
 * typed from `payload` ({@link PayloadInput}): a `Uint8Array` for `'bytes'`,
 * a `JsonValue` for `'json'`, the codec's type for an io-ts codec.
 *
 * A delivery that does not decode (not UTF-8, not JSON, refused by the codec,
 * a codec that throws, no raw bytes) is failed with a {@link PayloadDecodeError}
 * naming its topic, and goes no further: the failure handlers attached
 * upstream decide (a `DecodeError` is not retried by default, so the
 * transport's dead letter takes it at once, the original bytes in its
 * `rawBody`).
 *
 * A subscription with a `payload` option pipes this operator first, on
 * deliveries whose message carries the bytes as they came; on a `'bytes'`
 * subscription, place it yourself to decode after your own `deadLetter` or
 * `retryWithBackoff`.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { deadLetter, decodePayload, handleDeliveries, memoryTransport } from 'rxmini';
 * const Click = t.type({ x: t.number, y: t.number });
 * const bus = memoryTransport();
 * bus
 *   .subscribeTopic('clicks', { payload: 'bytes' })
 *   .pipe(
 *     deadLetter({ publish: bus.publish, topic: 'clicks.rejected' }),
 *     decodePayload(Click),
 *     handleDeliveries((d) => d.logger.info('click', { x: d.input.x })),
 *   )
 *   .subscribe();
 * ```
 * @see {@link Transport.subscribeTopic}'s `payload` option
 */
export const decodePayload = <P extends Exclude<Payload, 'message'>, I extends Delivery = Delivery>(
  payload: P,
): OperatorFunction<I, Delivery<PayloadInput<P>>> => {
  if (!isPayload(payload) || (payload as unknown) === 'message') {
    throw new TypeError("decodePayload needs 'json', 'bytes' or an io-ts codec");
  }
  return pipe(
    map((value: I): Delivery<PayloadInput<P>> | undefined => {
      const delivery = asDelivery(value, 'decodePayload');
      const decoded = decodePayloadBytes(delivery.message.rawBody, payload, delivery.topic);
      if (!isLeft(decoded)) return delivery.withInput(decoded.right);
      void delivery.fail(decoded.left);
      return undefined;
    }),
    filter((delivery): delivery is Delivery<PayloadInput<P>> => delivery !== undefined),
  );
};
