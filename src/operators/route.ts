import type { OperatorFunction } from 'rxjs';
import { NotFoundError } from '../errors.js';
import type { Delivery, DeliveryHandler } from '../delivery/types.js';
import { handleDeliveries, type HandleDeliveriesOptions, type HandledDelivery } from './handleDeliveries.js';

/**
 * Handlers by key (an action name, by default). A `Map` may be changed while
 * the route runs: each delivery looks its handler up when it arrives.
 *
 * @example
 * ```ts
 * import type { RouteTable } from 'rxmini';
 * const table: RouteTable = { 'orders.create': async () => {}, 'orders.cancel': async () => {} };
 * ```
 */
export type RouteTable = ReadonlyMap<string, DeliveryHandler> | Readonly<Record<string, DeliveryHandler>>;

/**
 * Options of {@link route}: those of {@link handleDeliveries}, and how to find a handler.
 *
 * @example
 * ```ts
 * import type { RouteOptions } from 'rxmini';
 * const byTopic: RouteOptions = { key: (d) => d.topic, concurrency: 16 };
 * ```
 */
export interface RouteOptions extends HandleDeliveriesOptions {
  /** The key a delivery is routed by; default its message's `node` (the action), else its topic. */
  readonly key?: (delivery: Delivery) => string;
  /**
   * Handles a delivery no entry matches; default: fail it with a
   * `NotFoundError` naming the key (not retried: it is dead-lettered).
   */
  readonly onNotFound?: DeliveryHandler;
}

const defaultKey = (delivery: Delivery): string => delivery.message.node ?? delivery.topic;

const lookup = (table: RouteTable, key: string): DeliveryHandler | undefined =>
  table instanceof Map
    ? table.get(key)
    : Object.prototype.hasOwnProperty.call(table, key)
      ? (table as Readonly<Record<string, DeliveryHandler>>)[key]
      : undefined;

/**
 * Dispatches each delivery to the handler its key names (the message's `node`,
 * i.e. the action, else the topic), run as {@link handleDeliveries} runs one:
 * inside the delivery's handler wrappers, finished on success, failed
 * (`delivery.fail`) on error. A delivery that matches nothing goes to
 * `onNotFound`. Emits one {@link HandledDelivery} per delivery.
 *
 * @example
 * ```ts
 * import { memoryTransport, route } from 'rxmini';
 * const bus = memoryTransport({ service: 'orders' });
 * bus
 *   .subscribePrefix('orders.')
 *   .pipe(
 *     route(
 *       {
 *         'orders.create': async (d) => d.logger.info('create'),
 *         'orders.cancel': async (d) => d.logger.info('cancel'),
 *       },
 *       { key: (d) => d.topic },
 *     ),
 *   )
 *   .subscribe();
 * ```
 */
export const route = (
  table: RouteTable,
  options: RouteOptions = {},
): OperatorFunction<Delivery, HandledDelivery> => {
  if (typeof table !== 'object' || table === null) throw new TypeError('route needs a table of handlers');
  const keyOf = options.key ?? defaultKey;
  const onNotFound: DeliveryHandler =
    options.onNotFound ??
    ((delivery) => {
      throw new NotFoundError(keyOf(delivery));
    });
  const { key: _key, onNotFound: _onNotFound, ...handleOptions } = options;
  return handleDeliveries(
    (delivery) => {
      const handler = lookup(table, keyOf(delivery));
      return handler === undefined ? onNotFound(delivery) : handler(delivery);
    },
    { label: 'route', ...handleOptions },
  );
};
