/**
 * Request/response on the embedded memory transport: a service answers
 * `auth.login`, a client calls it with a timeout. The same code runs over NSQ
 * with `nsqTransport({ nsqd: ['127.0.0.1:4150'] })` in place of `memoryTransport`.
 */
import { firstValueFrom } from 'rxjs';
import { getResult, handleDeliveries, memoryBroker, memoryTransport } from '../src/index.js';

export const requestResponse = async (): Promise<unknown> => {
  const broker = memoryBroker(); // one bus, shared by the two nodes below
  const service = memoryTransport({ broker, service: 'auth' });
  const client = memoryTransport({ broker });

  service
    .subscribeTopic('auth.login')
    .pipe(
      handleDeliveries((d) =>
        service.respond(d.message, { token: `jwt-for-${String(d.message.body?.['email'])}` }),
      ),
    )
    .subscribe();

  const reply = await firstValueFrom(
    client.request('auth.login', { email: 'ada@example.com' }, { timeout: 1_000 }),
  );
  await Promise.all([client.close(), service.close()]);
  await broker.close();
  const result = getResult(reply);
  return result._tag === 'Some' ? result.value : undefined;
};
