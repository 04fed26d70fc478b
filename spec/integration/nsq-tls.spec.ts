/**
 * TLS to a real nsqd: a throwaway CA and certificates are made with the openssl
 * CLI at spec time, and each block starts its own nsqd with TLS flags.
 */
import { firstValueFrom, take, toArray, type Subscription } from 'rxjs';
import { newMessage } from '../../src/codec/message';
import { memoryLogger, type MemoryLogger } from '../../src/logger/memoryLogger';
import { handleDeliveries } from '../../src/operators/handleDeliveries';
import type { Broker, BrokerDelivery } from '../../src/broker/types';
import { consumeNsq } from '../../src/broker/nsq/consumer';
import type { NsqDelivery } from '../../src/broker/nsq/delivery';
import { PublishFailedError, PublishTimeoutError } from '../../src/broker/nsq/errors';
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import { nsqTransport } from '../../src/transport/nsqTransport';
import { createNsqPublisher, type NsqPublisher } from '../../src/broker/nsq/publisher';
import type { Transport } from '../../src/transport/types';
import { describeNsq, freePort, nsqGet, nsqPost, type NsqServers } from '../helpers/nsq';
import { createTestPki, opensslUnavailable, type TestPki } from '../helpers/tls';
import { sleep, waitFor } from '../helpers/wait';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (body: Uint8Array): string => new TextDecoder().decode(body);

interface Stats {
  topics:
    | null
    | {
        topic_name: string;
        message_count: number;
        channels: { channel_name: string; clients: { tls: boolean; client_id: string }[] }[];
      }[];
}

/** Messages nsqd took on `topic` (0 when the topic does not exist). */
const messageCount = async (servers: NsqServers, topic: string): Promise<number> => {
  const stats = await nsqGet<Stats>(servers.nsqdHttp, `/stats?format=json&topic=${topic}`);
  return (stats.topics ?? []).find((t) => t.topic_name === topic)?.message_count ?? 0;
};

/** The clients subscribed on `topic`/`channel`. */
const channelClients = async (servers: NsqServers, topic: string, channel: string) => {
  const stats = await nsqGet<Stats>(servers.nsqdHttp, `/stats?format=json&topic=${topic}`);
  const t = (stats.topics ?? []).find((x) => x.topic_name === topic);
  return t?.channels.find((c) => c.channel_name === channel)?.clients ?? [];
};

const createTopic = async (servers: NsqServers, topic: string, channel: string): Promise<void> => {
  await nsqPost(servers.nsqdHttp, `/topic/create?topic=${topic}`);
  await nsqPost(servers.nsqdHttp, `/channel/create?topic=${topic}&channel=${channel}`);
};

/** Publishes over nsqd's plain HTTP API. */
const pub = async (servers: NsqServers, topic: string, body: string): Promise<void> => {
  const res = await fetch(`http://${servers.nsqdHttp}/pub?topic=${topic}`, { method: 'POST', body });
  if (!res.ok) throw new Error(`POST /pub: HTTP ${res.status} ${await res.text()}`);
};

const FAST = { reconnect: { initialMs: 50, maxMs: 200 }, connectTimeoutMs: 2_000 } as const;

/** Publishes through a fresh publisher and returns how it ended, plus the status it reached. */
const publishOnce = async (
  options: Parameters<typeof createNsqPublisher>[0],
  topic: string,
): Promise<{ error: unknown; statuses: string[]; logger: MemoryLogger }> => {
  const logger = memoryLogger();
  const publisher: NsqPublisher = createNsqPublisher({ ...options, logger });
  const statuses: string[] = [];
  const watched = publisher.status$.subscribe((s) => statuses.push(s));
  let error: unknown;
  try {
    await publisher.publish(topic, 'secret payload');
  } catch (e) {
    error = e;
  }
  await publisher.close();
  watched.unsubscribe();
  return { error, statuses, logger };
};

const unavailable = opensslUnavailable();
if (unavailable !== undefined) {
  describe('nsq over TLS [integration: real nsqd]', () => {
    it('needs the openssl CLI', () => pending(`SKIPPED: ${unavailable}`));
  });
} else {
  /** Certificates of one describe block, made when its nsqd starts and removed after it. */
  const tlsSetup = () => {
    let pki: TestPki | undefined;
    const certs = (): TestPki => {
      if (!pki) throw new Error('no certificates yet');
      return pki;
    };
    const args = async (): Promise<string[]> => {
      pki ??= createTestPki();
      return [
        `--tls-cert=${pki.serverCertFile}`,
        `--tls-key=${pki.serverKeyFile}`,
        // TLS on TCP; plain HTTP stays open for the harness's /ping and the admin calls
        '--tls-required=tcp-https',
        // with a certificate nsqd also serves HTTPS, by default on 0.0.0.0:4152
        `--https-address=127.0.0.1:${await freePort()}`,
      ];
    };
    const remove = (): void => {
      pki?.remove();
      pki = undefined;
    };
    return { certs, args, remove };
  };

  const serverOnly = tlsSetup();
  const clientAuth = tlsSetup();

  describeNsq(
    'nsq over TLS (server certificate)',
    (servers) => {
      const { certs } = serverOnly;
      afterAll(serverOnly.remove);
      let broker: Broker | undefined;
      let transport: Transport | undefined;
      let subscription: Subscription | undefined;
      afterEach(async () => {
        subscription?.unsubscribe();
        subscription = undefined;
        await broker?.close();
        broker = undefined;
        await transport?.close();
        transport = undefined;
      });

      it('publishes and consumes through nsqBroker with tls { ca, verify: true }', async () => {
        const topic = 'tls.broker';
        await createTopic(servers(), topic, 'c');
        broker = nsqBroker({ nsqd: servers().nsqdTcp, tls: { ca: certs().ca, verify: true }, ...FAST });
        const deliveries: BrokerDelivery[] = [];
        subscription = broker.consume({ topic, channel: 'c', maxInFlight: 10 }).subscribe((d) => {
          deliveries.push(d);
          d.finish();
        });
        await waitFor('the consumer to subscribe over TLS', async () =>
          (await channelClients(servers(), topic, 'c')).some((c) => c.tls),
        );
        for (const body of ['a', 'b', 'c']) await firstValueFrom(broker.publish(topic, bytes(body)));
        await waitFor('3 deliveries', () => deliveries.length === 3);
        expect(deliveries.map((d) => text(d.body)).sort()).toEqual(['a', 'b', 'c']);
        const clients = await channelClients(servers(), topic, 'c');
        expect(clients.length).toBe(1);
        expect(clients.every((c) => c.tls)).toBeTrue();
      }, 10_000);

      it('round-trips a request through nsqTransport over TLS', async () => {
        transport = nsqTransport({
          nsqd: servers().nsqdTcp,
          nsqdHttp: [servers().nsqdHttp],
          tls: { ca: certs().ca },
          service: 'tls-svc',
          ...FAST,
        });
        const service = transport;
        subscription = service
          .subscribeTopic('tls.echo', { lowLatency: true })
          .pipe(handleDeliveries((d) => service.respond(d.message, { echo: d.message.body ?? null })))
          .subscribe();
        await waitFor('the responder to subscribe', async () =>
          (await channelClients(servers(), 'tls.echo', 'tls-svc')).some((c) => c.tls),
        );
        const reply = await firstValueFrom(
          transport.request('tls.echo', { hi: 'there' }, { timeout: 5_000 }),
        );
        expect(reply.statusCode).toBe(200);
        expect(reply.body).toEqual({ result: { echo: { hi: 'there' } } });
        // the message codec is what went over the wire; a plain publish also works
        await transport.publish('tls.plain-publish', newMessage('note'));
        expect(await messageCount(servers(), 'tls.plain-publish')).toBe(1);
      }, 10_000);

      it('refuses a server certificate it cannot verify (no CA): typed error, nothing published', async () => {
        const topic = 'tls.untrusted';
        const { error, statuses, logger } = await publishOnce(
          { nsqd: servers().nsqdTcp, tls: { verify: true }, publishTimeoutMs: 1_500, ...FAST },
          topic,
        );
        expect(error).toBeInstanceOf(PublishTimeoutError);
        expect((error as PublishTimeoutError).ambiguous).toBeFalse();
        expect(statuses).not.toContain('ready');
        const reasons = logger.records.map((r) => String(r.fields['error'] ?? '')).join('\n');
        expect(reasons).toMatch(/certificate|self.signed|issuer/i);
        expect(await messageCount(servers(), topic)).toBe(0);
      }, 10_000);

      it('a consumer that cannot verify the certificate never subscribes, and its stream does not fail', async () => {
        const topic = 'tls.untrusted.consume';
        await createTopic(servers(), topic, 'c');
        const seen: NsqDelivery[] = [];
        let failed: unknown;
        subscription = consumeNsq({
          topic,
          channel: 'c',
          nsqd: [servers().nsqdTcp],
          tls: true,
          reconnect: FAST.reconnect,
        }).subscribe({ next: (d) => seen.push(d), error: (e: unknown) => (failed = e) });
        await pub(servers(), topic, 'm');
        await sleep(700);
        expect(failed).toBeUndefined();
        expect(seen).toEqual([]);
        expect(await channelClients(servers(), topic, 'c')).toEqual([]);
      }, 10_000);

      it('a client without TLS is refused by nsqd (--tls-required): typed error', async () => {
        const topic = 'tls.plaintext-client';
        const { error } = await publishOnce(
          { nsqd: servers().nsqdTcp, publishTimeoutMs: 1_500, ...FAST },
          topic,
        );
        // nsqd answers the plaintext PUB with a fatal E_INVALID (TLS required)
        expect(error).toBeInstanceOf(PublishFailedError);
        expect((error as PublishFailedError).ambiguous).toBeFalse();
        expect((error as PublishFailedError).reason).toMatch(/^E_/);
        expect(await messageCount(servers(), topic)).toBe(0);
      }, 10_000);
    },
    { nsqdArgs: serverOnly.args },
  );

  describeNsq(
    'nsq over TLS (client certificate required)',
    (servers) => {
      const { certs } = clientAuth;
      afterAll(clientAuth.remove);
      let broker: Broker | undefined;
      afterEach(async () => {
        await broker?.close();
        broker = undefined;
      });

      it('passes the client key and certificate through', async () => {
        const topic = 'tls.client-cert';
        await createTopic(servers(), topic, 'c');
        broker = nsqBroker({
          nsqd: servers().nsqdTcp,
          tls: { ca: certs().ca, key: certs().clientKey, cert: certs().clientCert },
          ...FAST,
        });
        const received = firstValueFrom(broker.consume({ topic, channel: 'c' }).pipe(take(1), toArray()));
        await firstValueFrom(broker.publish(topic, bytes('with-cert')));
        const [delivery] = await received;
        delivery?.finish();
        expect(delivery && text(delivery.body)).toBe('with-cert');
      }, 10_000);

      it('without a client certificate the connection is refused: typed error, nothing published', async () => {
        const topic = 'tls.no-client-cert';
        const { error, statuses } = await publishOnce(
          { nsqd: servers().nsqdTcp, tls: { ca: certs().ca }, publishTimeoutMs: 1_500, ...FAST },
          topic,
        );
        expect(error).toBeInstanceOf(PublishTimeoutError);
        expect(statuses).not.toContain('ready');
        expect(await messageCount(servers(), topic)).toBe(0);
      }, 10_000);
    },
    {
      nsqdArgs: async () => [
        ...(await clientAuth.args()),
        `--tls-root-ca-file=${clientAuth.certs().caFile}`,
        '--tls-client-auth-policy=require-verify',
      ],
    },
  );

  describeNsq('nsq TLS requested, nsqd without TLS', (servers) => {
    it('the publisher refuses the plaintext connection: typed error, nothing published', async () => {
      const topic = 'tls.downgrade';
      const { error, statuses, logger } = await publishOnce(
        { nsqd: servers().nsqdTcp, tls: { ca: 'unused' }, publishTimeoutMs: 1_500, ...FAST },
        topic,
      );
      expect(error).toBeInstanceOf(PublishTimeoutError);
      expect(statuses).not.toContain('ready');
      expect(logger.records.some((r) => /did not negotiate/.test(r.message))).toBeTrue();
      expect(await messageCount(servers(), topic)).toBe(0);
    }, 10_000);

    it('a consumer asking for TLS does not subscribe over plaintext', async () => {
      const topic = 'tls.downgrade.consume';
      await createTopic(servers(), topic, 'c');
      const seen: NsqDelivery[] = [];
      const subscription = consumeNsq({
        topic,
        channel: 'c',
        nsqd: [servers().nsqdTcp],
        tls: true,
        reconnect: FAST.reconnect,
      }).subscribe((d) => seen.push(d));
      try {
        await pub(servers(), topic, 'm');
        await sleep(700);
        expect(await channelClients(servers(), topic, 'c')).toEqual([]);
        expect(seen).toEqual([]);
      } finally {
        seen.forEach((d) => d.finish());
        subscription.unsubscribe();
      }
    }, 10_000);
  });
}
