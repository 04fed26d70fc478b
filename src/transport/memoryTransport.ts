/**
 * The embedded default transport: the message-level transport over an
 * in-process {@link memoryBroker}. No server, NSQ's semantics, browser-safe,
 * and it runs in virtual time under `TestScheduler.run`.
 *
 * @packageDocumentation
 */
import { createTransport } from './createTransport.js';
import { memoryBroker } from '../broker/memory/memoryBroker.js';
import type { MemoryBroker, MemoryBrokerOptions } from '../broker/memory/types.js';
import type { Transport, TransportOptions } from './types.js';

/** Options of {@link memoryTransport}: the transport's and the memory broker's. */
export interface MemoryTransportOptions extends TransportOptions, MemoryBrokerOptions {
  /**
   * An existing memory broker to run on (several transports on one broker are
   * several nodes of one bus). Its own options win; `closeBroker` then defaults to false.
   */
  readonly broker?: MemoryBroker;
}

/**
 * A transport over an in-process broker: `createTransport(memoryBroker(options), options)`.
 * Pass `broker` to put several transports (nodes) on one bus.
 *
 * @example
 * ```ts
 * import { firstValueFrom } from 'rxjs';
 * import { memoryBroker, memoryTransport, handleDeliveries } from 'rxmini';
 * const broker = memoryBroker();
 * const service = memoryTransport({ broker, service: 'auth' });
 * const client = memoryTransport({ broker });
 * service.subscribeTopic('auth.login')
 *   .pipe(handleDeliveries((d) => service.respond(d.message, { token: 'jwt123' })))
 *   .subscribe();
 * const reply = await firstValueFrom(client.request('auth.login', { email: 'a@b.c' }));
 * ```
 * @see {@link createTransport}
 */
export const memoryTransport = (options: MemoryTransportOptions = {}): Transport => {
  const { broker, ...rest } = options;
  if (broker) return createTransport(broker, { closeBroker: false, ...rest });
  return createTransport(memoryBroker(rest), rest);
};
