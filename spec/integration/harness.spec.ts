/**
 * Proves the integration harness: a real nsqd started by the spec helpers takes
 * 1,000 messages from an nsqjs Writer and hands all 1,000 to an nsqjs Reader,
 * and can be stopped, killed and restarted with its data dir intact.
 */
import * as nsq from 'nsqjs';
import { describeNsq, nsqGet, nsqPost, waitForPing } from '../helpers/nsq';

interface Stats {
  readonly version: string;
  readonly topics: readonly {
    readonly topic_name: string;
    readonly channels: readonly { readonly channel_name: string; readonly depth: number }[];
  }[];
}

const connectWriter = (tcp: string): Promise<nsq.Writer> => {
  const [host, port] = tcp.split(':');
  const writer = new nsq.Writer(host as string, Number(port));
  return new Promise((resolve, reject) => {
    writer.once('ready', () => resolve(writer));
    writer.once('error', reject);
    writer.connect();
  });
};

const publish = (writer: nsq.Writer, topic: string, bodies: readonly string[]): Promise<void> =>
  new Promise((resolve, reject) =>
    writer.publish(topic, [...bodies], (err) => (err ? reject(err) : resolve())),
  );

/** Consumes until `count` distinct bodies arrived, or fails after `timeoutMs`. */
const consume = (tcp: string, topic: string, count: number, timeoutMs = 20_000): Promise<Set<string>> =>
  new Promise((resolve, reject) => {
    const reader = new nsq.Reader(topic, 'harness', { nsqdTCPAddresses: [tcp], maxInFlight: 500 });
    const seen = new Set<string>();
    const timer = setTimeout(() => {
      reader.close();
      reject(new Error(`only ${seen.size}/${count} messages arrived within ${timeoutMs} ms`));
    }, timeoutMs);
    reader.on('error', (err) => {
      clearTimeout(timer);
      reader.close();
      reject(err);
    });
    reader.on('message', (msg) => {
      seen.add(msg.body.toString());
      msg.finish();
      if (seen.size === count) {
        clearTimeout(timer);
        reader.close();
        resolve(seen);
      }
    });
    reader.connect();
  });

describeNsq('nsq harness', (servers) => {
  it('runs nsqd v1.3.0', async () => {
    const stats = await nsqGet<Stats>(servers().nsqdHttp, '/stats?format=json');
    expect(stats.version).toBe('1.3.0');
  });

  it('delivers all of 1,000 messages published with nsqjs', async () => {
    const topic = 'harness.thousand';
    const bodies = Array.from({ length: 1000 }, (_, i) => `message-${i}`);
    const writer = await connectWriter(servers().nsqdTcp);
    try {
      // the channel exists before the first publish, so it gets every message
      await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
      await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=harness`);
      for (let i = 0; i < bodies.length; i += 100) await publish(writer, topic, bodies.slice(i, i + 100));
    } finally {
      writer.close();
    }
    const seen = await consume(servers().nsqdTcp, topic, bodies.length);
    expect([...seen].sort()).toEqual([...bodies].sort());
  }, 30_000);

  it('keeps queued messages across a clean stop and restart', async () => {
    if (servers().external) return pending('external nsqd: the harness cannot restart it');
    const topic = 'harness.durable';
    await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
    await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=harness`);
    const writer = await connectWriter(servers().nsqdTcp);
    try {
      await publish(writer, topic, ['a', 'b', 'c']);
    } finally {
      writer.close();
    }
    await servers().stop();
    await servers().restart();
    const seen = await consume(servers().nsqdTcp, topic, 3);
    expect([...seen].sort()).toEqual(['a', 'b', 'c']);
  }, 30_000);

  it('can kill nsqd with SIGKILL and bring it back', async () => {
    if (servers().external) return pending('external nsqd: the harness cannot kill it');
    await servers().kill();
    await expectAsync(waitForPing(servers().nsqdHttp, 300)).toBeRejected();
    await servers().restart();
    await expectAsync(waitForPing(servers().nsqdHttp, 1000)).toBeResolved();
  }, 30_000);
});
