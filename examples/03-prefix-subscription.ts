/**
 * One Observable over every topic with a prefix, including topics created
 * after subscribing (picked up within the poll interval).
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import { MessageType, memoryTransport, newMessage } from '../src/index.js';

export const prefixSubscription = async (): Promise<string[]> => {
  const bus = memoryTransport({ service: 'audit', pollIntervalMs: 20 });
  const seen = firstValueFrom(bus.subscribePrefix('orders.').pipe(take(2), toArray()));
  await bus.publish('orders.created', { ...newMessage(MessageType.EVENT), body: { id: 1 } });
  await bus.publish('orders.shipped', { ...newMessage(MessageType.EVENT), body: { id: 1 } });
  const deliveries = await seen;
  deliveries.forEach((d) => d.finish());
  await bus.close();
  return deliveries.map((d) => d.topic).sort();
};
