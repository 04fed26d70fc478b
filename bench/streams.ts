/**
 * Streaming replies (issue 13): items per second of ONE stream, against rxmini
 * publish throughput in the same run, 256 B payloads, one nsqd.
 *
 *   (a) `transport.publish(topic, { body })` of a 256 B body (`{ p: 'rrr…' }`),
 *       one call per message, {@link PUBLISH_CONCURRENCY} outstanding: what the
 *       transport publishes at best. The **baseline**.
 *   (b) `transport.requestStream(action, {})` with the default window
 *       (`DEFAULT_STREAM_WINDOW`), the responder in a child process
 *       (lib/streamResponder.ts) streaming an endless async generator of a
 *       256 B item (`{ p: 'sss…' }`); the client counts items for the run's
 *       duration after a warm-up on the same stream, then unsubscribes (which
 *       cancels it). Target: **≥ 0.5× (a)**.
 *   (c) the same with a window of 64, to show what the window buys.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { nsqTransport } from '../src/transport/nsqTransport';
import type { Transport } from '../src/transport/types';
import { DEFAULT_STREAM_WINDOW } from '../src/transport/streamWire';
import { closedLoop, waitFor } from './lib/load';
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
import type { StreamResponderMessage } from './lib/streamResponder';
import {
  REQUEST_TIMEOUT_MS,
  SERVICE_WARMUP_MS,
  START_TIMEOUT_MS,
  requestBody,
  startCpu,
} from './requestReply';

/** Publishes outstanding in the baseline (more than the default window: the baseline is not held back). */
const PUBLISH_CONCURRENCY = 1_000;
/** Issue 13: one stream at least half the publish throughput. */
const STREAM_TARGET = 0.5;
const SMALL_WINDOW = 64;

interface StreamRound {
  readonly nsqd: BenchNsqd;
  readonly round: number;
}

const suffixOf = (id: string, round: number): string => `${id}_${round < 0 ? 'w' : round}`;

const publishCase = (id: string): BenchCase<StreamRound> => ({
  id,
  label: `rxmini transport.publish, 256 B body, ${PUBLISH_CONCURRENCY} outstanding`,
  async run({ nsqd, round }, budget) {
    const topic = `bench_strpub_${suffixOf(id, round)}`;
    await nsqd.createTopic(topic);
    const transport: Transport = nsqTransport({
      nsqd: nsqd.tcp,
      nsqdHttp: [nsqd.http],
      drainTimeoutMs: 1_000,
    });
    const body = requestBody();
    try {
      // connects, and lets the JIT see the path
      await closedLoop(PUBLISH_CONCURRENCY, SERVICE_WARMUP_MS, (done, fail) => {
        transport.publish(topic, { body }).then(() => done(1), fail);
      });
      const cpu = startCpu({ server: () => nsqd.cpuSeconds() });
      const measured = await closedLoop(PUBLISH_CONCURRENCY, budget.durationMs, (done, fail) => {
        transport.publish(topic, { body }).then(() => done(1), fail);
      });
      return { ...measured, ...cpu() };
    } finally {
      await transport.close();
      await nsqd.deleteTopic(topic);
    }
  },
});

const startResponder = async (nsqd: BenchNsqd, action: string): Promise<ChildProcess> => {
  await nsqd.createTopic(action, ['svc']);
  const child = fork(join(__dirname, 'lib', 'streamResponder.js'), [nsqd.tcp, nsqd.http, action], {
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  try {
    await waitFor<void>(START_TIMEOUT_MS, 'stream responder ready', (resolve, reject) => {
      child.on('message', (message: StreamResponderMessage) => {
        if (message.type === 'ready') resolve();
      });
      child.once('exit', (code) => reject(new Error(`stream responder exited with ${code}`)));
    });
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return child;
};

const stopResponder = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ type: 'stop' } satisfies StreamResponderMessage);
  const timer = setTimeout(() => child.kill('SIGKILL'), 3_000);
  await exited;
  clearTimeout(timer);
};

const streamCase = (id: string, window: number | undefined): BenchCase<StreamRound> => ({
  id,
  label: `one transport.requestStream, 256 B items, window ${window ?? `${DEFAULT_STREAM_WINDOW} (default)`}, responder in a child process`,
  async run({ nsqd, round }, budget) {
    const action = `bench_stream_${suffixOf(id, round)}`;
    const transport: Transport = nsqTransport({
      nsqd: nsqd.tcp,
      nsqdHttp: [nsqd.http],
      drainTimeoutMs: 1_000,
    });
    let responder: ChildProcess | undefined;
    try {
      responder = await startResponder(nsqd, action);
      const pid = responder.pid;
      return await new Promise<Measured>((resolve, reject) => {
        let count = 0;
        let measuring: { readonly start: number; readonly cpu: ReturnType<typeof startCpu> } | undefined;
        let deadline = Number.POSITIVE_INFINITY;
        const warmupEnds = performance.now() + SERVICE_WARMUP_MS;
        const subscription = transport
          .requestStream(
            action,
            {},
            { timeout: REQUEST_TIMEOUT_MS, ...(window === undefined ? {} : { window }) },
          )
          .subscribe({
            next: () => {
              const now = performance.now();
              if (measuring === undefined) {
                if (now < warmupEnds) return;
                measuring = {
                  start: now,
                  cpu: startCpu({ service: () => processCpuSeconds(pid), server: () => nsqd.cpuSeconds() }),
                };
                deadline = now + budget.durationMs;
                return;
              }
              count += 1;
              if (now >= deadline) {
                const { start, cpu } = measuring;
                subscription?.unsubscribe();
                resolve({ count, elapsedMs: now - start, ...cpu() });
              }
            },
            error: reject,
            complete: () => reject(new Error('the endless stream completed')),
          });
      });
    } finally {
      await transport.close();
      if (responder) await stopResponder(responder);
      await nsqd.deleteTopic(action);
    }
  },
});

export const streamsGroup = (nsqd: BenchNsqd): BenchGroup<StreamRound> => ({
  name: 'streams over nsq',
  cases: [publishCase('a'), streamCase('b', undefined), streamCase('c', SMALL_WINDOW)],
  setupRound: (round) => Promise.resolve({ nsqd, round }),
});

const byId = (results: readonly CaseResult[], id: string): CaseResult => {
  const found = results.find((r) => r.id === id);
  if (!found) throw new Error(`streams: no result for (${id})`);
  return found;
};

export const runStreams = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  const results = await runGroup(streamsGroup(nsqd), options);
  const [a, b, c] = ['a', 'b', 'c'].map((id) => byId(results, id)) as [CaseResult, CaseResult, CaseResult];
  const section = 'streams over NSQ: one stream of 256 B items vs publish, responder in a child process';
  return [
    resultRow(section, a, { unit: 'msgs/s', isBaseline: true }),
    resultRow(section, b, {
      unit: 'msgs/s',
      baselines: [a],
      ratioTarget: { baseline: a, min: STREAM_TARGET },
    }),
    resultRow(section, c, { unit: 'msgs/s', baselines: [a, b] }),
  ];
};
