import { isLeft } from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { filter, map, pipe, type OperatorFunction } from 'rxjs';
import { toFieldIssues } from '../codec/issues.js';
import { ValidationError } from '../errors.js';
import { asDelivery } from '../delivery/delivery.js';
import type { Delivery } from '../delivery/types.js';

/**
 * Checks each delivery's body with an io-ts codec. A body that passes goes on
 * as a `Delivery<A>` whose `input` is the decoded value (typed from the codec);
 * one that does not is failed with a {@link ValidationError} listing every
 * failing field, in a stable order (`delivery.fail`: the failure handlers
 * attached upstream decide; a `ValidationError` is not retried by default, so
 * the transport dead-letters it at once) and goes no further.
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
export const validate = <A, I extends Delivery = Delivery>(
  codec: t.Decoder<unknown, A>,
): OperatorFunction<I, Delivery<A>> => {
  if (typeof codec?.decode !== 'function') throw new TypeError('validate needs an io-ts codec');
  return pipe(
    map((value: I): Delivery<A> | undefined => {
      const delivery = asDelivery(value, 'validate');
      const decoded = codec.decode(delivery.message.body);
      if (!isLeft(decoded)) return delivery.withInput(decoded.right);
      void delivery.fail(
        new ValidationError(toFieldIssues(decoded.left), { subject: `body of ${delivery.topic}` }),
      );
      return undefined;
    }),
    filter((delivery): delivery is Delivery<A> => delivery !== undefined),
  );
};
