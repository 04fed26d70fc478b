/**
 * The NSQ transport: {@link createTransport} over {@link nsqBroker}.
 *
 * @packageDocumentation
 */
import { createTransport } from './createTransport.js';
import type { Transport, TransportOptions } from './types.js';
import { nsqBroker, type NsqBrokerOptions } from '../broker/nsq/nsqBroker.js';

/** Options of {@link nsqTransport}: where nsqd and nsqlookupd are, and how the transport behaves. */
export type NsqTransportOptions = NsqBrokerOptions & Omit<TransportOptions, 'closeBroker'>;

/**
 * A transport over a real NSQ cluster: publishes go to the first nsqd, consumers
 * find nsqd directly and through nsqlookupd, prefix subscriptions list topics
 * from lookupd (or nsqd `/stats`). `close()` drains, then closes the connections.
 *
 * @example
 * ```ts
 * import { nsqTransport } from 'rxmini/nsq';
 * import { createLogger } from 'rxmini/node';
 * const bus = nsqTransport({
 *   nsqd: ['127.0.0.1:4150'],
 *   lookupd: ['127.0.0.1:4161'],
 *   service: 'auth',
 *   logger: createLogger('auth'),
 * });
 * ```
 * @see {@link memoryTransport} for the embedded transport with the same behaviour.
 */
export const nsqTransport = (options: NsqTransportOptions): Transport =>
  createTransport(nsqBroker(options), { ...options, closeBroker: true });
