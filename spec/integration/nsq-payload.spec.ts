/**
 * The payload codecs against a real nsqd: a producer that is not rxmini puts
 * its bytes on the topic through nsqd's HTTP `/pub` (as any NSQ client or
 * `to_nsq` would), and what rxmini publishes with a payload is read back with
 * the raw broker layer. The same suite runs on the memory transport.
 */
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import { createTransport } from '../../src/transport/createTransport';
import { describeNsq, nsqPub } from '../helpers/nsq';
import { payloadBehaviour } from '../transport/payloadBehaviour';

describeNsq('nsq payload codecs', (servers) => {
  payloadBehaviour('nsq', (options) => {
    const broker = nsqBroker({
      nsqd: servers().nsqdTcp,
      nsqdHttp: [servers().nsqdHttp],
      ...(servers().lookupdHttp === undefined ? {} : { lookupd: [servers().lookupdHttp as string] }),
      reconnect: { initialMs: 50 },
      lookupdPollIntervalSec: 1,
    });
    const transport = createTransport(broker, { ...options, closeBroker: true });
    return Promise.resolve({
      transport,
      broker,
      publishRaw: (topic, bytes) => nsqPub(servers().nsqdHttp, topic, bytes),
      teardown: () => transport.close(),
    });
  });
});
