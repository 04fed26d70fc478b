/**
 * `compat: 'go-mini'` against a real nsqd: the four wire fixtures the Go
 * `mini` wrote, put on nsqd raw through its HTTP `/pub` (as the Go client
 * would), consumed by a strict and by a compat transport; and what a compat
 * transport writes, read back off nsqd with the raw broker layer and
 * `JSON.parse`. The same suite runs on the memory transport.
 */
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import { createTransport } from '../../src/transport/createTransport';
import { describeNsq, nsqPub } from '../helpers/nsq';
import { goMiniBehaviour } from '../transport/goMiniBehaviour';

describeNsq('nsq compat go-mini', (servers) => {
  goMiniBehaviour('nsq', async (options) => {
    const broker = nsqBroker({
      nsqd: servers().nsqdTcp,
      nsqdHttp: [servers().nsqdHttp],
      ...(servers().lookupdHttp === undefined ? {} : { lookupd: [servers().lookupdHttp as string] }),
      reconnect: { initialMs: 50 },
      lookupdPollIntervalSec: 1,
    });
    let transport;
    try {
      transport = createTransport(broker, { ...options, closeBroker: true });
    } catch (error) {
      await broker.close();
      throw error;
    }
    const made = transport;
    return {
      transport: made,
      broker,
      publishRaw: (topic, bytes) => nsqPub(servers().nsqdHttp, topic, bytes),
      teardown: () => made.close(),
    };
  });
});
