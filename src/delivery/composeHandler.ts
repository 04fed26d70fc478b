import type { DeliveryHandler, HandlerWrapper } from './types.js';

/**
 * `handler` inside `wrappers`: the first wrapper is the outermost.
 */
export const composeHandler = (
  wrappers: readonly HandlerWrapper[],
  handler: DeliveryHandler,
): DeliveryHandler => wrappers.reduceRight<DeliveryHandler>((next, wrap) => wrap(next), handler);
