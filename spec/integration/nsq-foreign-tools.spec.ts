/**
 * Producers and consumers that are not rxmini, for real: the official NSQ
 * clients `to_nsq` (publishes each stdin line) and `nsq_tail` (prints each
 * message body and a newline), built from the pinned nsq module as nsqd is
 * (`npm run nsq:build`). Without them the block is skipped, loudly (a failure
 * under CI=true).
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as t from 'io-ts';
import { HeaderKey } from '../../src/constant/index.js';
import { nsqBroker } from '../../src/broker/nsq/nsqBroker';
import { handleDeliveries } from '../../src/operators/handleDeliveries';
import { createTransport } from '../../src/transport/createTransport';
import type { Transport, TransportOptions } from '../../src/transport/types';
import type { Delivery } from '../../src/delivery/types';
import { describeNsq, nsqBinDir, nsqChannelStats, type NsqServers } from '../helpers/nsq';
import { waitFor } from '../helpers/wait';
import { uniqueTopic } from '../transport/payloadBehaviour';

const SPEC_TIMEOUT_MS = 20_000;
const TAIL_CHANNEL = 'tail#ephemeral';

const tool = (name: string): string => join(nsqBinDir(), name);
const toolsMissing = (): string | undefined => {
  const missing = ['to_nsq', 'nsq_tail'].filter((name) => !existsSync(tool(name)));
  return missing.length === 0
    ? undefined
    : `${missing.join(' and ')} not in ${nsqBinDir()} (run npm run nsq:build)`;
};

/** Runs a tool to its end; its stdout, or a rejection with its stderr. */
const run = (name: string, args: readonly string[], stdin?: string): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const child = spawn(tool(name), args, { stdio: ['pipe', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (chunk: Buffer) => out.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => err.push(chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve(Buffer.concat(out))
        : reject(new Error(`${name} exited with ${String(code)}: ${Buffer.concat(err).toString()}`)),
    );
    child.stdin.end(stdin ?? '');
  });

/**
 * Starts `nsq_tail -n count` on `topic` and resolves once its channel has a
 * client; `output` resolves with what it printed when it has seen `count` messages.
 */
const tail = async (
  servers: NsqServers,
  topic: string,
  count: number,
): Promise<{ output: Promise<Buffer> }> => {
  const output = run('nsq_tail', [
    '-topic',
    topic,
    '-channel',
    TAIL_CHANNEL,
    '-nsqd-tcp-address',
    servers.nsqdTcp,
    '-n',
    String(count),
  ]);
  output.catch(() => undefined); // awaited by the spec; a failure before then must not be unhandled
  await waitFor(
    'nsq_tail subscribed',
    async () => ((await nsqChannelStats(servers.nsqdHttp, topic, TAIL_CHANNEL))?.client_count ?? 0) > 0,
    SPEC_TIMEOUT_MS / 2,
    50,
  );
  return { output };
};

const Line = t.type({ id: t.number, name: t.string });

describeNsq('nsq foreign producers and consumers (to_nsq, nsq_tail)', (servers) => {
  let transports: Transport[] = [];
  const make = (options: TransportOptions = {}): Transport => {
    const transport = createTransport(
      nsqBroker({ nsqd: servers().nsqdTcp, nsqdHttp: [servers().nsqdHttp], reconnect: { initialMs: 50 } }),
      { drainTimeoutMs: 1_000, ...options, closeBroker: true },
    );
    transports.push(transport);
    return transport;
  };

  beforeEach(() => {
    const missing = toolsMissing();
    if (missing !== undefined) {
      if (process.env['CI'] === 'true') fail(`CI=true and ${missing}`);
      else pending(`SKIPPED: ${missing}`);
    }
  });

  afterEach(async () => {
    await Promise.all(transports.map((transport) => transport.close()));
    transports = [];
  });

  /** Every delivery of `topic` (finished), kept until the transport closes; resolves once subscribed. */
  const collect = async <I>(
    subscription: ReturnType<Transport['subscribeTopic']> & { ready: Promise<void> },
  ): Promise<Delivery<I>[]> => {
    const seen: Delivery<I>[] = [];
    subscription.pipe(handleDeliveries((d) => void seen.push(d as Delivery<I>))).subscribe();
    await subscription.ready;
    return seen;
  };

  it(
    "consumes to_nsq's JSON lines with payload 'json' and through an io-ts codec; the bad line is dead-lettered",
    async () => {
      const bus = make();
      const topic = uniqueTopic('to-nsq');
      const json = await collect<unknown>(bus.subscribeTopic(topic, { payload: 'json', channel: 'json' }));
      const typed = await collect<t.TypeOf<typeof Line>>(
        bus.subscribeTopic(topic, { payload: Line, channel: 'typed' }),
      );
      const dead = await collect<unknown>(bus.subscribeTopic(`${topic}.dead`, { channel: 'inspect' }));
      const lines = ['{"id":1,"name":"Ada"}', '{"id":2,"name":"Grace"}', '{"id":"three"}'];
      await run('to_nsq', ['-topic', topic, '-nsqd-tcp-address', servers().nsqdTcp], `${lines.join('\n')}\n`);
      await waitFor(
        'every line consumed or dead-lettered',
        () => json.length === 3 && typed.length === 2 && dead.length === 1,
        SPEC_TIMEOUT_MS / 2,
      );
      expect(json.map((d) => d.input)).toEqual([
        { id: 1, name: 'Ada' },
        { id: 2, name: 'Grace' },
        { id: 'three' },
      ]);
      expect(typed.map((d) => d.input.name)).toEqual(['Ada', 'Grace']);
      // the typed channel refused the third line: its dead letter names the fields and keeps the bytes
      expect(dead[0]?.message.rawBody).toEqual(new TextEncoder().encode(lines[2]));
      expect(dead[0]?.message.header?.[HeaderKey.ERROR]).toContain('id: expected number, got string "three"');
      expect(dead[0]?.message.header?.[HeaderKey.ERROR]).toContain('name: required');
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    "publishes the bytes of payload 'bytes' that nsq_tail prints back byte for byte",
    async () => {
      const bus = make();
      const topic = uniqueTopic('tail-bytes');
      const bytes = new Uint8Array([0x00, 0x52, 0x58, 0x01, 0xff, 0xfe, 0x0a, 0x41]);
      const { output } = await tail(servers(), topic, 1);
      await bus.publish(topic, bytes, { payload: 'bytes' });
      const printed = await output;
      // nsq_tail writes each body, then a newline
      expect(new Uint8Array(printed)).toEqual(new Uint8Array([...bytes, 0x0a]));
    },
    SPEC_TIMEOUT_MS,
  );

  it(
    'publishes, with compat go-mini, messages that nsq_tail prints as plain JSON in the Go form',
    async () => {
      const bus = make({ compat: 'go-mini' });
      const topic = uniqueTopic('tail-go');
      const { output } = await tail(servers(), topic, 2);
      await bus.publish(topic, {
        type: 'stream',
        contextID: 'go-raw-0001',
        rawBody: new Uint8Array([0, 1, 2, 0xff, 0x68, 0x69]),
      });
      await bus.publish(topic, { body: { hello: 'world' } }, { payload: 'json' });
      const printed = (await output).toString('utf8').split('\n');
      expect(printed).toEqual([
        '{"type":"stream","contextID":"go-raw-0001","rawBody":"AAEC/2hp"}',
        '{"body":{"hello":"world"}}',
        '',
      ]);
    },
    SPEC_TIMEOUT_MS,
  );
});
