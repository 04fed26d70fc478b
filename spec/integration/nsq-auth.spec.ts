/**
 * AUTH against a real nsqd started with `--auth-http-address`, pointing at a
 * tiny auth server in this process (grants secret 'good', denies any other).
 */
import { firstValueFrom, take, toArray } from 'rxjs';
import type { Broker } from '../../src/broker/types';
import { PublishFailedError, PublishTimeoutError } from '../../src/broker/nsq/errors';
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import { createNsqPublisher } from '../../src/broker/nsq/publisher';
import { describeNsq, nsqGet, nsqPost, type NsqServers } from '../helpers/nsq';
import { startNsqAuthServer, type NsqAuthServer } from '../helpers/nsqAuthServer';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (body: Uint8Array): string => new TextDecoder().decode(body);

const FAST = { reconnect: { initialMs: 50, maxMs: 200 }, connectTimeoutMs: 2_000 } as const;

/** Messages nsqd took on `topic` (0 when the topic does not exist). */
const messageCount = async (servers: NsqServers, topic: string): Promise<number> => {
  const stats = await nsqGet<{ topics: null | { topic_name: string; message_count: number }[] }>(
    servers.nsqdHttp,
    `/stats?format=json&topic=${topic}`,
  );
  return (stats.topics ?? []).find((t) => t.topic_name === topic)?.message_count ?? 0;
};

/** Publishes once through a fresh publisher; resolves with the error, if any. */
const publishOnce = async (servers: NsqServers, topic: string, authSecret?: string): Promise<unknown> => {
  const publisher = createNsqPublisher({
    nsqd: servers.nsqdTcp,
    ...(authSecret === undefined ? {} : { authSecret }),
    publishTimeoutMs: 1_500,
    ...FAST,
  });
  try {
    await publisher.publish(topic, 'payload');
    return undefined;
  } catch (error) {
    return error;
  } finally {
    await publisher.close();
  }
};

let auth: NsqAuthServer | undefined;

describeNsq(
  'nsq with AUTH',
  (servers) => {
    afterAll(async () => {
      await auth?.close();
      auth = undefined;
    });
    let broker: Broker | undefined;
    afterEach(async () => {
      await broker?.close();
      broker = undefined;
    });

    it("publishes and consumes with authSecret 'good'", async () => {
      const topic = 'auth.good';
      await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
      await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
      broker = nsqBroker({ nsqd: servers().nsqdTcp, authSecret: 'good', ...FAST });
      const received = firstValueFrom(
        broker.consume({ topic, channel: 'c', maxInFlight: 5 }).pipe(take(2), toArray()),
      );
      for (const body of ['x', 'y']) await firstValueFrom(broker.publish(topic, bytes(body)));
      const deliveries = await received;
      deliveries.forEach((d) => d.finish());
      expect(deliveries.map((d) => text(d.body)).sort()).toEqual(['x', 'y']);
      expect(auth?.queries.some((q) => q.secret === 'good' && q.tls === 'false')).toBeTrue();
    }, 10_000);

    it('a wrong secret: publish rejects with a typed error, nothing is queued, the process stays up', async () => {
      const topic = 'auth.wrong';
      const error = await publishOnce(servers(), topic, 'bad');
      // nsqd answers AUTH with E_AUTH_FAILED and closes: no connection ever becomes ready
      expect(error).toBeInstanceOf(PublishTimeoutError);
      expect((error as PublishTimeoutError).ambiguous).toBeFalse();
      expect(auth?.queries.some((q) => q.secret === 'bad')).toBeTrue();
      expect(await messageCount(servers(), topic)).toBe(0);
    }, 10_000);

    it("a wrong secret: the PublishTimeoutError's cause is nsqd's E_AUTH_FAILED, named in its message", async () => {
      const error = await publishOnce(servers(), 'auth.wrong.cause', 'bad');
      expect(error).toBeInstanceOf(PublishTimeoutError);
      const cause = (error as PublishTimeoutError).cause;
      expect(cause).toBeInstanceOf(Error);
      // nsqd's answer to AUTH, as nsqjs reports it: `E_AUTH_FAILED AUTH failed`
      expect((cause as Error).message).toMatch(/^E_AUTH_FAILED\b/);
      expect((error as Error).message).toMatch(
        /\(not sent: no connection was ready\).*: last connection error: E_AUTH_FAILED/,
      );
    }, 10_000);

    it('no secret: nsqd refuses the publish (E_AUTH_FIRST) with a typed error', async () => {
      const topic = 'auth.none';
      const error = await publishOnce(servers(), topic);
      expect(error).toBeInstanceOf(PublishFailedError);
      expect((error as PublishFailedError).ambiguous).toBeFalse();
      expect((error as PublishFailedError).reason).toMatch(/E_AUTH_FIRST/);
      expect(await messageCount(servers(), topic)).toBe(0);
    }, 10_000);

    it('a consumer with a wrong secret gets nothing, and its stream does not fail', async () => {
      const topic = 'auth.wrong.consume';
      await nsqPost(servers().nsqdHttp, `/topic/create?topic=${topic}`);
      await nsqPost(servers().nsqdHttp, `/channel/create?topic=${topic}&channel=c`);
      broker = nsqBroker({ nsqd: servers().nsqdTcp, authSecret: 'bad', ...FAST });
      const seen: unknown[] = [];
      let failed: unknown;
      const sub = broker
        .consume({ topic, channel: 'c' })
        .subscribe({ next: (d) => seen.push(d), error: (e: unknown) => (failed = e) });
      const res = await fetch(`http://${servers().nsqdHttp}/pub?topic=${topic}`, {
        method: 'POST',
        body: 'm',
      });
      expect(res.ok).toBeTrue();
      await new Promise((r) => setTimeout(r, 600));
      sub.unsubscribe();
      expect(seen).toEqual([]);
      expect(failed).toBeUndefined();
    }, 10_000);
  },
  {
    nsqdArgs: async () => {
      auth = await startNsqAuthServer(['good']);
      return [`--auth-http-address=${auth.address}`];
    },
  },
);
