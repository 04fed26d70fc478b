/**
 * Services (issue 10): what `createService` costs over what it is built on.
 *
 * In-process, one process, no server, concurrency 100 (a closed loop keeping
 * 100 calls outstanding), the same body `{ a: 1, s: 'hello' }` answered as is:
 *
 *   (a) Moleculer 0.15: one `ServiceBroker({ logger: false })` (no transporter),
 *       one service, action `echo` with `params: { a: 'number', s: 'string' }`
 *       (its default validator, fastest-validator); `broker.call('bench.echo', body)`.
 *       The **baseline**.
 *   (b) rxmini: one `createService` on a `memoryTransport()`, one action with the
 *       codec `t.type({ a: t.number, s: t.string })`; `svc.call('bench.echo', body)`
 *       takes the local path (`preferLocal`): validation, the pipe, timeout and
 *       per-action metrics, no encoding, no broker. Target: **≥ 1.0× (a)**.
 *   (g) Moleculer as (a) with `metrics: true`: per-action call counts, errors
 *       and a latency histogram, what every rxmini service records (and (a)
 *       does not). No target: it says what (a) leaves out.
 *
 * Over NSQ, the service in a child process (lib/responder.ts), the request/reply
 * body of `reqrep` (`{ p: 'rrr…' }`, 256 B) echoed:
 *
 *   (c) `transport.request()` to a bare echo (`subscribeTopic` + `handleDeliveries`
 *       + `respond`, responder `rxmini`), concurrency 1. The **baseline** of (d).
 *   (d) `svc.call()` from a client service (`preferLocal: false`, nothing served)
 *       to an action of a `createService` (responder `service`, the codec
 *       `t.type({ p: t.string })`), concurrency 1. Target: **≥ 0.85× (c)**.
 *   (e), (f) the same at concurrency 100.
 */
import type { ChildProcess } from 'node:child_process';
import * as t from 'io-ts';
import { ServiceBroker } from 'moleculer';
import { firstValueFrom } from 'rxjs';
import { createService } from '../src/service/createService';
import type { Service } from '../src/service/types';
import { memoryTransport } from '../src/transport/memoryTransport';
import { nsqTransport } from '../src/transport/nsqTransport';
import { replyTopicOf } from '../src/transport/request';
import type { Transport } from '../src/transport/types';
import { closedLoop, type Operation } from './lib/load';
import type { BenchNsqd } from './lib/nsqd';
import { processCpuSeconds } from './lib/proc';
import { resultRow, type ReportRow } from './lib/report';
import {
  runGroup,
  type BenchCase,
  type BenchGroup,
  type CaseResult,
  type Measured,
  type RunOptions,
} from './lib/runner';
import {
  REQUEST_TIMEOUT_MS,
  SERVICE_WARMUP_MS,
  START_TIMEOUT_MS,
  frameNote,
  requestBody,
  startCpu,
  startService,
  stopService,
  type Meters,
  type ReplyRound,
} from './requestReply';

/** Calls outstanding in the in-process cases. */
export const LOCAL_CONCURRENCY = 100;
/** The body of every in-process call. */
const LOCAL_BODY = { a: 1, s: 'hello' } as const;
/** Before the clock starts, each in-process case runs its loop this long (JIT, as a long-running process is). */
const LOCAL_WARMUP_MS = 500;

/**
 * In-process, one call in this many is timed for the latency percentiles (every
 * 16th: a uniform sample, still ~100,000 a round), and the loop reads the clock
 * at one completion in this many. Two clock reads and an array push per call for
 * its latency, and a third read per completion, cost about as much as the call
 * itself: that cost, the same on both sides, pulled every in-process ratio
 * towards 1 (docs/benchmarks.md, "Issue 10, fourth pass").
 */
const LOCAL_LATENCY_SAMPLE = 16;

/**
 * Keeps `concurrency` calls outstanding: `warmupMs` unmeasured, then `durationMs`
 * measured, with the latency of one call in `sampleEvery` (default each; the
 * loop's clock read as often) and the CPU of this process (and of `meters`).
 */
const driveCalls = async (
  call: () => PromiseLike<unknown>,
  concurrency: number,
  durationMs: number,
  warmupMs: number,
  meters: Meters,
  sampleEvery = 1,
): Promise<Measured> => {
  const latencies: number[] = [];
  let untimed = 0;
  const send: Operation = (done, fail) => {
    if (untimed > 0) {
      untimed -= 1;
      call().then(() => done(1), fail);
      return;
    }
    untimed = sampleEvery - 1;
    const sentAt = performance.now();
    call().then(() => {
      latencies.push(performance.now() - sentAt);
      done(1);
    }, fail);
  };
  if (warmupMs > 0) await closedLoop(concurrency, warmupMs, send, sampleEvery);
  latencies.length = 0;
  const cpu = startCpu(meters);
  const measured = await closedLoop(concurrency, durationMs, send, sampleEvery);
  return { ...measured, ...cpu(), latenciesMs: latencies };
};

/** A caller of the in-process echo action, started: Moleculer's broker or rxmini's service. */
export interface LocalCaller {
  readonly call: () => PromiseLike<unknown>;
  readonly stop: () => Promise<void>;
}

/** (a) and (g): a Moleculer broker serving `bench.echo`, with its default validator. */
export const startMoleculerLocal = async (metrics = false): Promise<LocalCaller> => {
  const broker = new ServiceBroker({ logger: false, metrics });
  broker.createService({
    name: 'bench',
    actions: {
      echo: {
        params: { a: 'number', s: 'string' },
        handler: (ctx: { params: unknown }) => ctx.params,
      },
    },
  });
  await broker.start();
  return { call: () => broker.call('bench.echo', LOCAL_BODY), stop: () => broker.stop() };
};

const Echo = t.type({ a: t.number, s: t.string });

/** (b): an rxmini service on a memory transport serving `bench.echo` with an io-ts codec. */
export const startRxminiLocal = async (): Promise<LocalCaller> => {
  const transport = memoryTransport();
  const svc = createService({ name: 'bench', version: 'v1', transport, namespace: false });
  svc.action('bench.echo', Echo, (input) => input);
  await svc.start();
  return {
    call: () => svc.call('bench.echo', LOCAL_BODY),
    stop: async () => {
      await svc.stop();
      await transport.close();
    },
  };
};

const localCase = (id: string, label: string, start: () => Promise<LocalCaller>): BenchCase<number> => ({
  id,
  label,
  async run(_round, budget) {
    const caller = await start();
    try {
      return await driveCalls(
        caller.call,
        LOCAL_CONCURRENCY,
        budget.durationMs,
        LOCAL_WARMUP_MS,
        {},
        LOCAL_LATENCY_SAMPLE,
      );
    } finally {
      await caller.stop();
    }
  },
});

const moleculerLocal = (id: string, metrics = false): BenchCase<number> =>
  localCase(
    id,
    `Moleculer 0.15 local call, fastest-validator params${metrics ? ', metrics: true' : ''}, concurrency ${LOCAL_CONCURRENCY}`,
    () => startMoleculerLocal(metrics),
  );

const rxminiLocal = (id: string): BenchCase<number> =>
  localCase(
    id,
    `rxmini svc.call, local path, io-ts codec, concurrency ${LOCAL_CONCURRENCY}`,
    startRxminiLocal,
  );

export const localServicesGroup = (): BenchGroup<number> => ({
  name: 'services in-process',
  cases: [moleculerLocal('a'), rxminiLocal('b'), moleculerLocal('g', true)],
  setupRound: (round) => Promise.resolve(round),
});

/**
 * A request/reply case over NSQ against a responder in a child process: `bare`
 * calls `transport.request()` on the bare echo, `service` calls `svc.call()` on
 * the `createService` one.
 */
const overNsq = (id: string, kind: 'bare' | 'service', concurrency: number): BenchCase<ReplyRound> => ({
  id,
  label:
    kind === 'bare'
      ? `transport.request() → bare echo (subscribeTopic + handleDeliveries + respond), concurrency ${concurrency}`
      : `svc.call() → createService action (io-ts codec), concurrency ${concurrency}`,
  async run({ nsqd, round }, budget) {
    const suffix = `svc_${id}_${round < 0 ? 'w' : round}`;
    const action = `bench_req_${suffix}`;
    const transport: Transport = nsqTransport({
      nsqd: nsqd.tcp,
      nsqdHttp: [nsqd.http],
      nodeId: `bench_${suffix}`,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
      drainTimeoutMs: 1_000,
    });
    const client: Service = createService({
      name: 'benchclient',
      version: 'v1',
      transport,
      namespace: false,
      preferLocal: false,
      requestTimeoutMs: REQUEST_TIMEOUT_MS,
    });
    const call =
      kind === 'bare'
        ? () => firstValueFrom(transport.request(action, requestBody(), { timeout: REQUEST_TIMEOUT_MS }))
        : () => client.call(action, requestBody(), { timeout: REQUEST_TIMEOUT_MS });
    let service: ChildProcess | undefined;
    try {
      service = await startService(
        nsqd,
        kind === 'bare' ? 'rxmini' : 'service',
        action,
        replyTopicOf(transport.nodeId),
      );
      // opens the client's reply consumer and proves the service answers
      await (kind === 'bare'
        ? firstValueFrom(transport.request(action, requestBody(), { timeout: START_TIMEOUT_MS }))
        : client.call(action, requestBody(), { timeout: START_TIMEOUT_MS }));
      const pid = service.pid;
      const measured = await driveCalls(call, concurrency, budget.durationMs, SERVICE_WARMUP_MS, {
        service: () => processCpuSeconds(pid),
        server: () => nsqd.cpuSeconds(),
      });
      return { ...measured, note: frameNote(transport, action) };
    } finally {
      await transport.close();
      if (service) await stopService(service);
      await nsqd.deleteTopic(action);
    }
  },
});

export const nsqServicesGroup = (nsqd: BenchNsqd): BenchGroup<ReplyRound> => ({
  name: 'services over nsq',
  cases: [
    overNsq('c', 'bare', 1),
    overNsq('d', 'service', 1),
    overNsq('e', 'bare', 100),
    overNsq('f', 'service', 100),
  ],
  setupRound: (round) => Promise.resolve({ nsqd, round }),
});

/** In-process: at least Moleculer's local calls (issue 10). */
const LOCAL_TARGET = 1.0;
/** Over NSQ: the service layer costs at most 15 % (issue 10). */
const NSQ_TARGET = 0.85;

const byId = (results: readonly CaseResult[], id: string): CaseResult => {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`services: no result for (${id})`);
  return found;
};

export const runServices = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  // no server involved in-process: nsqd's CPU would only be noise
  const local = await runGroup(localServicesGroup(), { ...options, serverCpuSeconds: () => Number.NaN });
  const remote = await runGroup(nsqServicesGroup(nsqd), options);
  const [a, b, g] = ['a', 'b', 'g'].map((id) => byId(local, id)) as [CaseResult, CaseResult, CaseResult];
  const [c, d, e, f] = ['c', 'd', 'e', 'f'].map((id) => byId(remote, id)) as [
    CaseResult,
    CaseResult,
    CaseResult,
    CaseResult,
  ];
  const localSection = 'services in-process: call with validation (one process, no server)';
  const nsqSection = 'services over NSQ: request/reply 256 B, service in a child process';
  return [
    resultRow(localSection, a, { unit: 'req/s', withLatency: true, isBaseline: true }),
    resultRow(localSection, b, {
      unit: 'req/s',
      withLatency: true,
      baselines: [a, g],
      ratioTarget: { baseline: a, min: LOCAL_TARGET },
    }),
    resultRow(localSection, g, { unit: 'req/s', withLatency: true, baselines: [a] }),
    resultRow(nsqSection, c, { unit: 'req/s', withLatency: true, isBaseline: true }),
    resultRow(nsqSection, d, {
      unit: 'req/s',
      withLatency: true,
      baselines: [c],
      ratioTarget: { baseline: c, min: NSQ_TARGET },
    }),
    resultRow(nsqSection, e, { unit: 'req/s', withLatency: true, isBaseline: true }),
    resultRow(nsqSection, f, {
      unit: 'req/s',
      withLatency: true,
      baselines: [e],
      ratioTarget: { baseline: e, min: NSQ_TARGET },
    }),
  ];
};
