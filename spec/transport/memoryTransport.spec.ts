import { asyncScheduler } from 'rxjs';
import { createTransport } from '../../src/transport/createTransport.js';
import { memoryBroker } from '../../src/broker/memory/memoryBroker.js';
import { memoryTransport } from '../../src/transport/memoryTransport.js';
import type { Transport } from '../../src/transport/types.js';
import { transportBehaviour } from './behaviour.js';

transportBehaviour('memory', (options) => {
  const broker = memoryBroker({ scheduler: options.scheduler ?? asyncScheduler });
  const transports: Transport[] = [];
  const make = (): Transport => {
    const transport = createTransport(broker, { ...options, closeBroker: false });
    transports.push(transport);
    return transport;
  };
  const transport = make();
  return Promise.resolve({
    transport,
    peer: make,
    broker,
    teardown: async () => {
      await Promise.all(transports.map((t) => t.close()));
      await broker.close();
    },
  });
});

describe('memoryTransport', () => {
  it('owns its broker: close() closes it', async () => {
    const transport = memoryTransport({ service: 'auth' });
    const statuses: string[] = [];
    transport.status$.subscribe((s) => statuses.push(s));
    await transport.close();
    expect(statuses).toEqual(['ready', 'draining', 'closed']);
  });

  it('runs several nodes on one broker without closing it', async () => {
    const broker = memoryBroker();
    const a = memoryTransport({ broker });
    const b = memoryTransport({ broker });
    expect(a.nodeId).not.toBe(b.nodeId);
    await a.close();
    expect(broker.stats().closed).toBeFalse();
    await b.close();
    await broker.close();
  });
});
