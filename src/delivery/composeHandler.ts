import type { DeliveryHandler, HandlerWrapper } from './types.js';

/**
 * `handler` inside `wrappers`: the first wrapper is the outermost.
 *
 * @example
 * ```ts
 * import { composeHandler } from 'rxmini';
 * const handler = composeHandler([auth, logging], save); // auth(logging(save))
 * ```
 */
export const composeHandler = (
  wrappers: readonly HandlerWrapper[],
  handler: DeliveryHandler,
): DeliveryHandler => wrappers.reduceRight<DeliveryHandler>((next, wrap) => wrap(next), handler);
