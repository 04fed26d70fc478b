/** Small pipes for operator specs over deliveries. */
import { map, of, type MonoTypeOperatorFunction } from 'rxjs';
import type { Delivery } from '../../src/delivery/types.js';

/** Fails each delivery as it passes and emits its id: its acks show the failure handler it carries. */
export const failEach = (error: unknown) =>
  map((delivery: Delivery) => {
    void delivery.fail(error);
    return delivery.id;
  });

/** `delivery` as it comes out of `operator`. */
export const through = (operator: MonoTypeOperatorFunction<Delivery>, delivery: Delivery): Delivery => {
  let out: Delivery | undefined;
  of(delivery)
    .pipe(operator)
    .subscribe((d) => (out = d));
  if (out === undefined) throw new Error('the operator emitted nothing');
  return out;
};
