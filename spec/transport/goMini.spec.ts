import { firstValueFrom } from 'rxjs';
import { createTransport } from '../../src/transport/createTransport.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { goMiniBehaviour } from './goMiniBehaviour.js';

// one bus for the whole suite, as one nsqd: a spec's strict and compat transports are two nodes on it
const broker = memoryBroker();

goMiniBehaviour('memory', (options) => {
  const transport = createTransport(broker, { ...options, closeBroker: false });
  return Promise.resolve({
    transport,
    broker,
    publishRaw: (topic, bytes) => firstValueFrom(broker.publish(topic, bytes)),
    teardown: () => transport.close(),
  });
});
