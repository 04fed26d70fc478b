/**
 * Retries with backoff, then a dead letter: a handler that always fails is
 * retried `maxAttempts` times (as broker requeues with a delay, so they survive a
 * consumer restart on NSQ), then the message goes to `<topic>.dead` with the
 * reason and the attempts in its header.
 */
import { firstValueFrom } from 'rxjs';
import { HeaderKey, MessageType, handleDeliveries, memoryTransport, newMessage } from '../src/index.js';

export const retryThenDeadLetter = async (): Promise<Record<string, string> | undefined> => {
  const bus = memoryTransport({
    service: 'billing',
    retry: { 'invoices.': { maxAttempts: 3, initialDelayMs: 10, factor: 2, maxDelayMs: 100, jitter: 0 } },
  });
  bus
    .subscribeTopic('invoices.created')
    .pipe(
      handleDeliveries(() => {
        throw new Error('payment provider unavailable');
      }),
    )
    .subscribe();
  const dead = firstValueFrom(bus.subscribeTopic('invoices.created.dead', { channel: 'ops' }));

  await bus.publish('invoices.created', { ...newMessage(MessageType.EVENT), body: { invoice: 42 } });
  const letter = await dead;
  letter.finish();
  await bus.close();
  return (
    letter.message.header && {
      error: letter.message.header[HeaderKey.ERROR] ?? '',
      attempts: letter.message.header[HeaderKey.ATTEMPTS] ?? '',
    }
  );
};
