import { map, type MonoTypeOperatorFunction } from 'rxjs';
import { asDelivery } from '../delivery/delivery.js';
import type { Delivery, HandlerWrapper } from '../delivery/types.js';

/**
 * Puts `wrappers` around the handler of every delivery that passes (the first
 * outermost, all inside wrappers attached earlier in the pipe):
 * {@link handleDeliveries} and `route` run their handler inside them. The
 * `next`-chain form of middleware, as an operator; `bus.use(handlerMiddleware(w))`
 * pipes this same operator.
 *
 * @example
 * ```ts
 * import { handleDeliveries, memoryTransport, wrapHandlers, type HandlerWrapper } from 'rxmini';
 * const bus = memoryTransport();
 * const timing: HandlerWrapper = (next) => async (d) => {
 *   const start = Date.now();
 *   await next(d);
 *   d.logger.debug('handled', { ms: Date.now() - start });
 * };
 * bus.subscribeTopic('orders.created').pipe(wrapHandlers(timing), handleDeliveries(async () => {})).subscribe();
 * ```
 */
export const wrapHandlers = <D extends Delivery>(
  ...wrappers: readonly HandlerWrapper[]
): MonoTypeOperatorFunction<D> => {
  if (wrappers.some((w) => typeof w !== 'function')) throw new TypeError('wrapHandlers needs functions');
  return map((delivery) => {
    let wrapped: Delivery = asDelivery(delivery, 'wrapHandlers');
    for (const wrapper of wrappers) wrapped = wrapped.withHandlerWrapper(wrapper);
    return wrapped as D;
  });
};
