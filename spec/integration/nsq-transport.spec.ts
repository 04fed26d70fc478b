/**
 * The transport behaviour suite (spec/transport/behaviour.ts, also run on the
 * memory transport) against a real nsqd + nsqlookupd: each node has its own
 * connections, as separate processes would.
 */
import type { Broker } from '../../src/broker/types';
import { createTransport } from '../../src/transport/createTransport';
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import type { Transport, TransportOptions } from '../../src/transport/types';
import { describeNsq } from '../helpers/nsq';
import { transportBehaviour } from '../transport/behaviour';

describeNsq('nsq transport', (servers) => {
  transportBehaviour(
    'nsq',
    (options: TransportOptions) => {
      const nodes: { transport: Transport; broker: Broker }[] = [];
      const make = (): { transport: Transport; broker: Broker } => {
        const broker = nsqBroker({
          nsqd: servers().nsqdTcp,
          nsqdHttp: [servers().nsqdHttp],
          ...(servers().lookupdHttp === undefined ? {} : { lookupd: [servers().lookupdHttp as string] }),
          reconnect: { initialMs: 50 },
          lookupdPollIntervalSec: 1,
          ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
        });
        const node = { transport: createTransport(broker, { ...options, closeBroker: true }), broker };
        nodes.push(node);
        return node;
      };
      const first = make();
      return Promise.resolve({
        transport: first.transport,
        broker: first.broker,
        peer: () => make().transport,
        teardown: async () => {
          await Promise.all(nodes.map((n) => n.transport.close()));
        },
      });
    },
    { concurrentRequests: 1000 },
  );
});
