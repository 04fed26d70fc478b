import { asyncScheduler, firstValueFrom } from 'rxjs';
import { createTransport } from '../../src/transport/createTransport.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { payloadBehaviour } from './payloadBehaviour.js';

payloadBehaviour('memory', (options) => {
  const broker = memoryBroker({ scheduler: options.scheduler ?? asyncScheduler });
  const transport = createTransport(broker, { ...options, closeBroker: false });
  return Promise.resolve({
    transport,
    broker,
    publishRaw: (topic, bytes) => firstValueFrom(broker.publish(topic, bytes)),
    teardown: async () => {
      await transport.close();
      await broker.close();
    },
  });
});
