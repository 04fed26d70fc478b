/**
 * The service side of the request/reply benchmark, run in its own process
 * (`fork`), so client and service do not share a core's event loop — the set-up
 * issue 3's request/response target is stated for.
 *
 *   node responder.js <impl> <nsqdHost> <nsqdPort> <nsqdHttp> <requestTopic> <replyTopic>
 *
 * It consumes `requestTopic` on channel `svc` without output buffering and
 * answers every request:
 * - `raw`: plain nsqjs; echoes each body to `replyTopic` and FINs the request;
 * - `rxmini`: `nsqTransport` + `subscribeTopic(…, { maxInFlight: 500, lowLatency: true })` +
 *   `handleDeliveries` + `respond(request, body)`, as a service is written
 *   (spec/transport/behaviour.ts `serveEcho`); the reply goes to the request's
 *   `replyTo`, so `replyTopic` is unused;
 * - `readme`: the same with `subscribeTopic(action)` and no options at all,
 *   as the README writes a service (the defaults are what is measured);
 * - `tuned`: the same with `{ maxInFlight: 200, lowLatency: true }`, the
 *   tuned counterpart of `readme` (issue 8);
 * - `service`: `createService` (issue 10) on the same transport serving
 *   `requestTopic` as an action that checks `{ p: string }` and answers its
 *   input, with `concurrency: 500` (its consumer's maxInFlight, as `rxmini`'s)
 *   and `namespace: false` (no prefix consumer beside the action's).
 *
 * It tells the parent `ready` over IPC once nsqd lists its consumer on the
 * channel, and stops on `stop` or when the parent goes away.
 */
import * as t from 'io-ts';
import * as nsq from 'nsqjs';
import { filter, firstValueFrom } from 'rxjs';
import { handleDeliveries } from '../../src/operators/handleDeliveries';
import { createService } from '../../src/service/createService';
import { nsqTransport } from '../../src/transport/nsqTransport';

export const RESPONDER_CHANNEL = 'svc';

/** Messages between the benchmark and its responder. */
export type ResponderMessage = { readonly type: 'ready' } | { readonly type: 'stop' };

/** The service implementations a responder can run. */
export const RESPONDER_IMPLS = ['raw', 'rxmini', 'readme', 'tuned', 'service'] as const;
export type ResponderImpl = (typeof RESPONDER_IMPLS)[number];

/** The options each rxmini responder subscribes with (`readme`: none, the defaults). */
const SUBSCRIBE_OPTIONS = {
  rxmini: { maxInFlight: 500, lowLatency: true },
  readme: undefined,
  tuned: { maxInFlight: 200, lowLatency: true },
} as const;

/** A responder process never outlives this, whatever happens to its parent. */
const LIFETIME_MS = 5 * 60_000;

interface Responder {
  ready: Promise<void>;
  close(): Promise<void>;
}

const fail = (error: Error): void => {
  process.stderr.write(`responder: ${error.message}\n`);
  process.exit(1);
};

const rawResponder = (host: string, port: number, requestTopic: string, replyTopic: string): Responder => {
  const writer = new nsq.Writer(host, port);
  const reader = new nsq.Reader(requestTopic, RESPONDER_CHANNEL, {
    nsqdTCPAddresses: [`${host}:${port}`],
    maxInFlight: 500,
    outputBufferSize: -1,
  });
  writer.on('error', fail);
  reader.on('error', fail);
  const ready = Promise.all([
    new Promise<void>((resolve) => writer.once('ready', () => resolve())),
    new Promise<void>((resolve) => reader.once('ready', () => resolve())),
  ]).then(() => undefined);
  reader.on('message', (message) => {
    writer.publish(replyTopic, message.body, (error) => {
      if (error) fail(error);
    });
    message.finish();
  });
  writer.connect();
  reader.connect();
  return {
    ready,
    close: () => {
      reader.close();
      writer.close();
      return Promise.resolve();
    },
  };
};

const READY_POLL_MS = 20;
const READY_TIMEOUT_MS = 8_000;

interface ChannelStats {
  readonly topics?: readonly {
    readonly topic_name: string;
    readonly channels?: readonly { readonly channel_name: string; readonly clients?: readonly unknown[] }[];
  }[];
}

/** Resolves once nsqd's `/stats` lists a client on `topic`/`channel` (bounded). */
const consumerListed = async (http: string, topic: string, channel: string): Promise<void> => {
  const deadline = performance.now() + READY_TIMEOUT_MS;
  while (performance.now() < deadline) {
    const res = await fetch(`http://${http}/stats?format=json&topic=${encodeURIComponent(topic)}`);
    const body = (await res.json()) as ChannelStats;
    const clients = body.topics
      ?.find((t) => t.topic_name === topic)
      ?.channels?.find((c) => c.channel_name === channel)?.clients;
    if (clients && clients.length > 0) return;
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
  throw new Error(`no consumer on ${topic}/${channel} after ${READY_TIMEOUT_MS} ms`);
};

const rxminiResponder = (
  impl: Exclude<ResponderImpl, 'raw' | 'service'>,
  host: string,
  port: number,
  http: string,
  requestTopic: string,
): Responder => {
  const transport = nsqTransport({
    nsqd: `${host}:${port}`,
    nsqdHttp: [http],
    service: RESPONDER_CHANNEL,
    nodeId: `svc${process.pid}`,
    drainTimeoutMs: 1_000,
  });
  const served = transport
    .subscribeTopic(requestTopic, SUBSCRIBE_OPTIONS[impl])
    .pipe(handleDeliveries((d) => transport.respond(d.message, d.message.body ?? {})))
    .subscribe({
      error: (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
    });
  const ready = Promise.all([
    firstValueFrom(transport.status$.pipe(filter((status) => status === 'ready'))),
    consumerListed(http, requestTopic, RESPONDER_CHANNEL),
  ]).then(() => undefined);
  return {
    ready,
    close: async () => {
      await transport.close();
      served.unsubscribe();
    },
  };
};

/** The service's concurrency: its action consumer's maxInFlight, as the `rxmini` responder's. */
const SERVICE_CONCURRENCY = 500;

const serviceResponder = (host: string, port: number, http: string, requestTopic: string): Responder => {
  const transport = nsqTransport({
    nsqd: `${host}:${port}`,
    nsqdHttp: [http],
    service: RESPONDER_CHANNEL,
    nodeId: `svc${process.pid}`,
    drainTimeoutMs: 1_000,
  });
  const svc = createService({
    name: RESPONDER_CHANNEL,
    version: 'v1',
    transport,
    namespace: false,
    concurrency: SERVICE_CONCURRENCY,
    drainTimeoutMs: 1_000,
  });
  svc.action(requestTopic, t.type({ p: t.string }), (input) => input);
  const ready = svc.start().then(() => consumerListed(http, requestTopic, RESPONDER_CHANNEL));
  return {
    ready,
    close: async () => {
      await svc.stop();
      await transport.close();
    },
  };
};

const main = (): void => {
  const [impl, host, port, http, requestTopic, replyTopic] = process.argv.slice(2);
  if (!host || !port || !http || !requestTopic || !replyTopic || !process.send) {
    throw new Error(
      'usage (forked): responder.js <impl> <nsqdHost> <nsqdPort> <nsqdHttp> <requestTopic> <replyTopic>',
    );
  }
  if (!(RESPONDER_IMPLS as readonly (string | undefined)[]).includes(impl))
    throw new Error(`responder: unknown implementation "${impl}"`);
  const known = impl as ResponderImpl;
  const responder =
    known === 'raw'
      ? rawResponder(host, Number(port), requestTopic, replyTopic)
      : known === 'service'
        ? serviceResponder(host, Number(port), http, requestTopic)
        : rxminiResponder(known, host, Number(port), http, requestTopic);
  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    // let the close frames go out, then leave even if a socket lingers
    const leave = (): void => {
      setTimeout(() => process.exit(0), 300);
    };
    responder.close().then(leave, leave);
    setTimeout(() => process.exit(0), 3_000).unref();
  };
  setTimeout(stop, LIFETIME_MS).unref();
  process.on('disconnect', stop);
  process.on('message', (message: ResponderMessage) => {
    if (message.type === 'stop') stop();
  });
  responder.ready.then(
    () => process.send?.({ type: 'ready' } satisfies ResponderMessage),
    (error: unknown) => fail(error instanceof Error ? error : new Error(String(error))),
  );
};

if (require.main === module) main();
