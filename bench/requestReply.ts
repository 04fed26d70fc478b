/**
 * Request/response over one nsqd: a request topic and a reply topic, the
 * service in a child process (lib/responder.ts), 256 B bodies, both readers
 * with `outputBufferSize: -1` (otherwise nsqd holds each reply up to its
 * 250 ms output buffer timeout).
 *
 *   (a) raw nsqjs, concurrency 1   — baseline for (c)
 *   (b) raw nsqjs, concurrency 100 — baseline for (d)
 *   (c) rxmini `nsqTransport` request(), concurrency 1, service = `responder.js rxmini`
 *   (d) the same at concurrency 100
 *
 * and, in process on one `memoryBroker()` (no server, no baseline):
 *
 *   (e) `memoryTransport` request/response, concurrency 1
 *   (f) the same at concurrency 100
 *
 * rxmini requests carry a JSON body of {@link MESSAGE_BYTES} (`{ p: 'rrr…' }`),
 * so their frames are larger than the raw 256 B (the envelope: type, ids,
 * replyTo, deadline header); the size is logged per run.
 *
 * Targets (issue 3): rxmini p50 ≤ 0.5 ms at concurrency 1; ≥ 15,000 req/s at
 * concurrency 100 with client and service in separate processes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as nsq from 'nsqjs';
import { firstValueFrom } from 'rxjs';
import type { JsonObject } from '../src/codec/json';
import { HeaderKey, MessageType } from '../src/constant/index';
import { encode } from '../src/codec/wire';
import { handleDeliveries } from '../src/operators/handleDeliveries';
import { memoryBroker } from '../src/broker/memory/index';
import { memoryTransport } from '../src/transport/memoryTransport';
import { nsqTransport } from '../src/transport/nsqTransport';
import { replyTopicOf } from '../src/transport/request';
import type { Transport } from '../src/transport/types';
import { closedLoop, waitFor, type Operation } from './lib/load';
import type { BenchNsqd } from './lib/nsqd';
import { closeRawWriter, openRawWriter } from './lib/rawNsq';
import { resultRow, type ReportRow } from './lib/report';
import { processCpuSeconds } from './lib/proc';
import { TRACE_FILE_ENV } from './lib/socketTrace';
import { RESPONDER_CHANNEL, type ResponderImpl, type ResponderMessage } from './lib/responder';
import {
  runGroup,
  type BenchCase,
  type BenchGroup,
  type CaseResult,
  type Measured,
  type RunOptions,
} from './lib/runner';
import { MESSAGE_BYTES } from './publish';

const CLIENT_CHANNEL = 'client';
/**
 * Every case and round starts a fresh service process, so before the clock
 * starts the closed loop runs this long at the case's concurrency, raw and
 * rxmini alike: what is measured is a warm service (JIT-compiled hot paths),
 * as a long-running one is, not V8's start-up.
 */
export const SERVICE_WARMUP_MS = 1_500;
const ID_BYTES = 12;
export const START_TIMEOUT_MS = 10_000;

export interface ReplyRound {
  readonly nsqd: BenchNsqd;
  readonly round: number;
}

/** Creates both topics with their channels (so nothing published early is lost) and starts the service. */
export const startService = async (
  nsqd: BenchNsqd,
  impl: ResponderImpl,
  requestTopic: string,
  replyTopic: string,
): Promise<ChildProcess> => {
  await nsqd.createTopic(requestTopic, [RESPONDER_CHANNEL]);
  // rxmini replies go to the client's own ephemeral topic, which its reply consumer creates
  if (impl === 'raw') await nsqd.createTopic(replyTopic, [CLIENT_CHANNEL]);
  const child = fork(
    join(__dirname, 'lib', 'responder.js'),
    [impl, nsqd.host, String(nsqd.port), nsqd.http, requestTopic, replyTopic],
    {
      stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
      // the hops group traces the responder's sockets from start-up (lib/socketTrace.ts)
      ...(process.env[TRACE_FILE_ENV] === undefined
        ? {}
        : { execArgv: [...process.execArgv, '-r', join(__dirname, 'lib', 'socketTrace.js')] }),
    },
  );
  try {
    await waitFor<void>(START_TIMEOUT_MS, 'responder ready', (resolve, reject) => {
      child.on('message', (message: ResponderMessage) => {
        if (message.type === 'ready') resolve();
      });
      child.once('exit', (code) => reject(new Error(`responder exited with ${code}`)));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
};

export const stopService = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' } satisfies ResponderMessage);
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
};

const rawRequestReply = (id: string, concurrency: number): BenchCase<ReplyRound> => ({
  id,
  label: `raw nsqjs request/reply, concurrency ${concurrency}`,
  async run({ nsqd, round }, budget) {
    const suffix = `${id}_${round < 0 ? 'w' : round}`;
    const requestTopic = `bench_req_${suffix}`;
    const replyTopic = `bench_rep_${suffix}`;
    const service = await startService(nsqd, 'raw', requestTopic, replyTopic);
    const writer = await openRawWriter(nsqd.host, nsqd.port);
    const reader = new nsq.Reader(replyTopic, CLIENT_CHANNEL, {
      nsqdTCPAddresses: [nsqd.tcp],
      maxInFlight: Math.max(concurrency * 2, 10),
      outputBufferSize: -1,
    });
    const waiting = new Map<number, { readonly sentAt: number; readonly done: (n: number) => void }>();
    const latencies: number[] = [];
    let nextId = 0;
    reader.on('error', () => undefined);
    reader.on('message', (message) => {
      message.finish();
      const requestId = Number(message.body.toString('latin1', 0, ID_BYTES));
      const entry = waiting.get(requestId);
      if (!entry) return;
      waiting.delete(requestId);
      latencies.push(performance.now() - entry.sentAt);
      entry.done(1);
    });
    try {
      await waitFor<void>(START_TIMEOUT_MS, 'reply reader ready', (resolve) => {
        reader.once('ready', () => resolve());
        reader.connect();
      });
      const send: Operation = (done, fail) => {
        nextId += 1;
        const body = Buffer.alloc(MESSAGE_BYTES, 'r');
        body.write(String(nextId).padStart(ID_BYTES, '0'), 0, 'latin1');
        waiting.set(nextId, { sentAt: performance.now(), done });
        writer.publish(requestTopic, body, (error) => {
          if (error) fail(error);
        });
      };
      await closedLoop(concurrency, SERVICE_WARMUP_MS, send);
      latencies.length = 0;
      const pid = service.pid;
      const cpu = startCpu({ service: () => processCpuSeconds(pid), server: () => nsqd.cpuSeconds() });
      const measured = await closedLoop(concurrency, budget.durationMs, send);
      return { ...measured, ...cpu(), latenciesMs: latencies } satisfies Measured;
    } finally {
      reader.close();
      await closeRawWriter(writer);
      await stopService(service);
      await nsqd.deleteTopic(requestTopic);
      await nsqd.deleteTopic(replyTopic);
    }
  },
});

/** CPU meters of the other processes of a case (cumulative seconds; NaN when unknown). */
export interface Meters {
  readonly service?: () => number;
  readonly server?: () => number;
}

/** Starts reading CPU: the returned function gives what was used since, by this process, nsqd and the service. */
export const startCpu = (
  meters: Meters,
): (() => Pick<Measured, 'clientCpuSeconds' | 'serverCpuSeconds' | 'serviceCpuSeconds'>) => {
  const client = process.cpuUsage();
  const server = meters.server?.() ?? Number.NaN;
  const service = meters.service?.() ?? Number.NaN;
  return () => {
    const used = process.cpuUsage(client);
    return {
      clientCpuSeconds: (used.user + used.system) / 1e6,
      serverCpuSeconds: (meters.server?.() ?? Number.NaN) - server,
      serviceCpuSeconds: (meters.service?.() ?? Number.NaN) - service,
    };
  };
};

/** Longest one request may wait in a run; a reply later than this fails the run. */
export const REQUEST_TIMEOUT_MS = 10_000;

/** A JSON body of about {@link MESSAGE_BYTES} bytes. */
export const requestBody = (): JsonObject => ({ p: 'r'.repeat(MESSAGE_BYTES - 8) });

/** Frame sizes of one request and its echoed response, for the log. */
export const frameNote = (transport: Transport, action: string): string => {
  const request = encode({
    type: MessageType.REQUEST,
    node: action,
    contextID: '00000000-0000-4000-8000-000000000000',
    replyTo: transport.replyTopic,
    header: { [HeaderKey.DEADLINE]: String(REQUEST_TIMEOUT_MS) },
    body: requestBody(),
  });
  const response = encode({
    type: MessageType.RESPONSE,
    contextID: '00000000-0000-4000-8000-000000000000',
    statusCode: 200,
    body: { result: requestBody() },
  });
  return `(frames: request ${request.byteLength} B, response ≈ ${response.byteLength} B)`;
};

/**
 * Keeps `concurrency` `transport.request()`s outstanding for the run's
 * duration, after one priming request (it opens the client's reply consumer
 * and proves the service answers) and `warmupMs` of the same load, not
 * measured. Round-trip latency: subscribe → response. The service's CPU is
 * read around the measured part only (`serviceCpu`).
 */
const driveRequests = async (
  transport: Transport,
  action: string,
  concurrency: number,
  durationMs: number,
  warmupMs: number,
  meters: Meters,
): Promise<Measured> => {
  await firstValueFrom(transport.request(action, requestBody(), { timeout: START_TIMEOUT_MS }));
  const latencies: number[] = [];
  const send: Operation = (done, fail) => {
    const sentAt = performance.now();
    transport.request(action, requestBody(), { timeout: REQUEST_TIMEOUT_MS }).subscribe({
      next: () => {
        latencies.push(performance.now() - sentAt);
        done(1);
      },
      error: fail,
    });
  };
  if (warmupMs > 0) await closedLoop(concurrency, warmupMs, send);
  latencies.length = 0;
  const cpu = startCpu(meters);
  const measured = await closedLoop(concurrency, durationMs, send);
  return { ...measured, ...cpu(), latenciesMs: latencies, note: frameNote(transport, action) };
};

const rxminiRequestReply = (
  id: string,
  concurrency: number,
  impl: Exclude<ResponderImpl, 'raw'> = 'rxmini',
  label = `rxmini nsqTransport request(), concurrency ${concurrency}`,
): BenchCase<ReplyRound> => ({
  id,
  label,
  async run({ nsqd, round }, budget) {
    const suffix = `${id}_${round < 0 ? 'w' : round}`;
    const requestTopic = `bench_req_${suffix}`;
    const client = nsqTransport({
      nsqd: nsqd.tcp,
      nsqdHttp: [nsqd.http],
      nodeId: `bench_${suffix}`,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      drainTimeoutMs: 1_000,
    });
    let service: ChildProcess | undefined;
    try {
      service = await startService(nsqd, impl, requestTopic, replyTopicOf(client.nodeId));
      const pid = service.pid;
      return await driveRequests(client, requestTopic, concurrency, budget.durationMs, SERVICE_WARMUP_MS, {
        service: () => processCpuSeconds(pid),
        server: () => nsqd.cpuSeconds(),
      });
    } finally {
      await client.close();
      if (service) await stopService(service);
      await nsqd.deleteTopic(requestTopic);
    }
  },
});

/** The memory group's round: nothing shared between cases. */
type MemoryRound = number;

const memoryRequestReply = (id: string, concurrency: number): BenchCase<MemoryRound> => ({
  id,
  label: `memoryTransport request(), concurrency ${concurrency}`,
  async run(round, budget) {
    const action = `bench_mem_req_${id}_${round < 0 ? 'w' : round}`;
    const broker = memoryBroker();
    const service = memoryTransport({ broker, service: RESPONDER_CHANNEL, nodeId: 'memsvc' });
    const client = memoryTransport({ broker, nodeId: 'memclient', requestTimeoutMs: REQUEST_TIMEOUT_MS });
    const served = service
      .subscribeTopic(action, { maxInFlight: 500, lowLatency: true })
      .pipe(handleDeliveries((d) => service.respond(d.message, d.message.body ?? {})))
      .subscribe();
    try {
      return await driveRequests(client, action, concurrency, budget.durationMs, SERVICE_WARMUP_MS, {});
    } finally {
      await client.close();
      await service.close();
      served.unsubscribe();
      await broker.close();
    }
  },
});

export const requestReplyGroup = (nsqd: BenchNsqd): BenchGroup<ReplyRound> => ({
  name: 'request/reply',
  cases: [
    rawRequestReply('a', 1),
    rawRequestReply('b', 100),
    rxminiRequestReply('c', 1),
    rxminiRequestReply('d', 100),
  ],
  setupRound: (round) => Promise.resolve({ nsqd, round }),
});

/**
 * Concurrency of the first-use group: 1,000 concurrent requests, as issue 8
 * measured README-style code (p50 565 ms with `maxInFlight: 1`).
 */
export const FIRST_USE_CONCURRENCY = 1_000;

/**
 * README-style service code against tuned code, in the same run (issue 8):
 *
 *   (g) the service subscribes with no options (`subscribeTopic(action)`), the defaults
 *   (h) the service subscribes with `{ maxInFlight: 200, lowLatency: true }`
 *
 * Both: `handleDeliveries` + `respond`, service in a child process, client
 * `nsqTransport().request()` at {@link FIRST_USE_CONCURRENCY}.
 */
export const firstUseGroup = (nsqd: BenchNsqd): BenchGroup<ReplyRound> => ({
  name: 'first use',
  cases: [
    rxminiRequestReply(
      'g',
      FIRST_USE_CONCURRENCY,
      'readme',
      `README-style service (subscribeTopic with no options), concurrency ${FIRST_USE_CONCURRENCY}`,
    ),
    rxminiRequestReply(
      'h',
      FIRST_USE_CONCURRENCY,
      'tuned',
      `tuned service (maxInFlight 200, lowLatency), concurrency ${FIRST_USE_CONCURRENCY}`,
    ),
  ],
  setupRound: (round) => Promise.resolve({ nsqd, round }),
});

/** README-style code within 2× of tuned code (issue 8): p50 and req/s. */
const FIRST_USE_MAX_FACTOR = 2;

export const runFirstUse = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  const results = await runGroup(firstUseGroup(nsqd), options);
  const readme = byId(results, 'g');
  const tuned = byId(results, 'h');
  const section = `first use: request/reply ${MESSAGE_BYTES} B, service in a child process`;
  return [
    resultRow(section, tuned, { unit: 'req/s', withLatency: true, isBaseline: true }),
    resultRow(section, readme, {
      unit: 'req/s',
      withLatency: true,
      baselines: [tuned],
      otherTarget: {
        text: `p50 ≤ ${FIRST_USE_MAX_FACTOR}× (h)'s, ≥ 1/${FIRST_USE_MAX_FACTOR} of its req/s`,
        met:
          readme.p50Ms <= FIRST_USE_MAX_FACTOR * tuned.p50Ms &&
          readme.rate * FIRST_USE_MAX_FACTOR >= tuned.rate,
      },
    }),
  ];
};

export const memoryRequestReplyGroup = (): BenchGroup<MemoryRound> => ({
  name: 'memory request/reply',
  cases: [memoryRequestReply('e', 1), memoryRequestReply('f', 100)],
  setupRound: (round) => Promise.resolve(round),
});

/** p50 ≤ 0.5 ms at concurrency 1 (issue 3). */
const P50_TARGET_MS = 0.5;
/** ≥ 15,000 req/s at concurrency 100 (issue 3). */
const RATE_TARGET = 15_000;

const byId = (results: readonly CaseResult[], id: string): CaseResult => {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`request/reply: no result for (${id})`);
  return found;
};

export const runRequestReply = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  const overNsq = await runGroup(requestReplyGroup(nsqd), options);
  // no server involved: nsqd's CPU would only be noise
  const inMemory = await runGroup(memoryRequestReplyGroup(), {
    ...options,
    serverCpuSeconds: () => Number.NaN,
  });
  const [a, b, c, d] = ['a', 'b', 'c', 'd'].map((id) => byId(overNsq, id)) as [
    CaseResult,
    CaseResult,
    CaseResult,
    CaseResult,
  ];
  const section = `request/reply ${MESSAGE_BYTES} B, service in a child process`;
  const memorySection = `memory transport request/reply (one process, no server)`;
  return [
    resultRow(section, a, { unit: 'req/s', withLatency: true, isBaseline: true }),
    resultRow(section, b, { unit: 'req/s', withLatency: true, isBaseline: true }),
    resultRow(section, c, {
      unit: 'req/s',
      withLatency: true,
      baselines: [a],
      otherTarget: { text: `p50 ≤ ${P50_TARGET_MS} ms`, met: c.p50Ms <= P50_TARGET_MS },
    }),
    resultRow(section, d, {
      unit: 'req/s',
      withLatency: true,
      baselines: [b],
      otherTarget: { text: `≥ ${RATE_TARGET.toLocaleString('en-US')} req/s`, met: d.rate >= RATE_TARGET },
    }),
    ...['e', 'f'].map((id) =>
      resultRow(memorySection, byId(inMemory, id), { unit: 'req/s', withLatency: true }),
    ),
  ];
};
