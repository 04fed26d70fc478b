import { isLeft } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import type { OperatorFunction } from 'rxjs';
import { itselfCheckOf, type ItselfCheck } from '../codec/passesAsItself.js';
import { toFieldIssues } from '../codec/issues.js';
import { ValidationError } from '../errors.js';
import { asDelivery } from '../delivery/delivery.js';
import type { Delivery } from '../delivery/types.js';
import { stepOperator } from './fuse.js';

/**
 * Which codec checks a delivery, by delivery (a service looks it up by
 * action); `undefined` lets the delivery pass unchecked, its `input` unchanged.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import type { CodecOf } from 'rxmini';
 * const codecs = new Map([['orders.create', t.type({ id: t.number })]]);
 * const byTopic: CodecOf = (d) => codecs.get(d.topic);
 * ```
 */
export type CodecOf = (delivery: Delivery) => t.Decoder<unknown, unknown> | undefined;

/** {@link validate}'s two forms: one codec for every delivery, or a codec per delivery. */
export interface Validate {
  <A, I extends Delivery = Delivery>(codec: t.Decoder<unknown, A>): OperatorFunction<I, Delivery<A>>;
  <I extends Delivery = Delivery>(codecOf: CodecOf): OperatorFunction<I, Delivery>;
}

/**
 * Checks each delivery's body with an io-ts codec. A body that passes goes on
 * as a `Delivery<A>` whose `input` is the decoded value (typed from the codec);
 * one that does not is failed with a {@link ValidationError} listing every
 * failing field, in a stable order (`delivery.fail`: the failure handlers
 * attached upstream decide; a `ValidationError` is not retried by default, so
 * the transport dead-letters it at once) and goes no further.
 *
 * Given a function instead of a codec ({@link CodecOf}), each delivery is
 * checked by the codec it returns (one per action, as a service does); a
 * delivery it returns `undefined` for passes unchecked. A lookup or a codec
 * that throws fails that delivery with what it threw (as a handler that throws
 * does); the stream goes on.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { handleDeliveries, memoryTransport, validate } from 'rxmini';
 * const Order = t.type({ id: t.number, items: t.array(t.string) });
 * const bus = memoryTransport();
 * bus
 *   .subscribeTopic('orders.created')
 *   .pipe(
 *     validate(Order),
 *     handleDeliveries(async (d) => d.logger.info('order', { items: d.input.items.length })),
 *   )
 *   .subscribe();
 * ```
 * @see {@link toFieldIssues}
 */
export const validate: Validate = <A, I extends Delivery = Delivery>(
  codec: t.Decoder<unknown, A> | CodecOf,
): OperatorFunction<I, Delivery<A>> => {
  const codecOf: CodecOf | undefined = typeof codec === 'function' ? codec : undefined;
  if (codecOf === undefined && typeof (codec as t.Decoder<unknown, A> | undefined)?.decode !== 'function') {
    throw new TypeError('validate needs an io-ts codec, or a function that gives one per delivery');
  }
  // the codec checked last and its cheap check (most deliveries in a row have one codec: no lookup)
  let lastCodec: t.Decoder<unknown, unknown> | undefined;
  let lastCheck: ItselfCheck | undefined;
  const check = (delivery: Delivery): Delivery<A> | undefined => {
    const checker = codecOf === undefined ? (codec as t.Decoder<unknown, A>) : codecOf(delivery);
    if (checker === undefined) return delivery as Delivery<A>;
    if (checker !== lastCodec) {
      lastCheck = itselfCheckOf(checker);
      lastCodec = checker;
    }
    const body = delivery.message.body;
    // most bodies are valid and most codecs do not convert: the cheap check says what decode would
    return lastCheck?.(body) === true ? delivery.withInput(body as A) : decodeBody(delivery, checker, body);
  };
  /** A body the cheap check did not pass: decoded (it may convert), or the delivery failed with every failing field. */
  const decodeBody = (
    delivery: Delivery,
    checker: t.Decoder<unknown, unknown>,
    body: unknown,
  ): Delivery<A> | undefined => {
    const decoded = checker.decode(body);
    if (!isLeft(decoded)) return delivery.withInput(decoded.right as A);
    void delivery.fail(
      new ValidationError(toFieldIssues(decoded.left), { subject: `body of ${delivery.topic}` }),
    );
    return undefined;
  };
  // one step per delivery: run in the next operator's subscriber when fused (see fuse.ts)
  return stepOperator((value) => {
    const delivery = asDelivery(value, 'validate');
    try {
      return check(delivery);
    } catch (error) {
      // a lookup or a codec that throws fails this delivery, as a handler that throws would
      void delivery.fail(error);
      return undefined;
    }
  }) as unknown as OperatorFunction<I, Delivery<A>>;
};
