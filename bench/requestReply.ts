/**
 * Request/response over one nsqd: a request topic and a reply topic, the
 * service in a child process (lib/responder.ts), 256 B bodies, both readers
 * with `outputBufferSize: -1` (otherwise nsqd holds each reply up to its
 * 250 ms output buffer timeout).
 *
 *   (a) raw nsqjs, concurrency 1   — baseline for (c)
 *   (b) raw nsqjs, concurrency 100 — baseline for (d)
 *   (c), (d), (e): rxmini — NOT WRITTEN YET, see the marked section below.
 *
 * Targets (issue 3): rxmini p50 ≤ 0.5 ms at concurrency 1; ≥ 15,000 req/s at
 * concurrency 100 with client and service in separate processes.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import * as nsq from 'nsqjs';
import { closedLoop, waitFor } from './lib/load';
import type { BenchNsqd } from './lib/nsqd';
import { closeRawWriter, openRawWriter } from './lib/rawNsq';
import { pendingRow, resultRow, type ReportRow } from './lib/report';
import { processCpuSeconds } from './lib/proc';
import { RESPONDER_CHANNEL, type ResponderMessage } from './lib/responder';
import { runGroup, type BenchCase, type BenchGroup, type Measured, type RunOptions } from './lib/runner';
import { MESSAGE_BYTES } from './publish';

const CLIENT_CHANNEL = 'client';
const ID_BYTES = 12;
const START_TIMEOUT_MS = 10_000;

interface ReplyRound {
  readonly nsqd: BenchNsqd;
  readonly round: number;
}

/** Creates both topics with their channels (so nothing published early is lost) and starts the service. */
const startService = async (
  nsqd: BenchNsqd,
  impl: 'raw' | 'rxmini',
  requestTopic: string,
  replyTopic: string,
): Promise<ChildProcess> => {
  await nsqd.createTopic(requestTopic, [RESPONDER_CHANNEL]);
  await nsqd.createTopic(replyTopic, [CLIENT_CHANNEL]);
  const child = fork(
    join(__dirname, 'lib', 'responder.js'),
    [impl, nsqd.host, String(nsqd.port), requestTopic, replyTopic],
    { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
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

const stopService = async (child: ChildProcess): Promise<void> => {
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
      const serviceCpuBefore = processCpuSeconds(service.pid);
      const measured = await closedLoop(concurrency, budget.durationMs, (done, fail) => {
        nextId += 1;
        const body = Buffer.alloc(MESSAGE_BYTES, 'r');
        body.write(String(nextId).padStart(ID_BYTES, '0'), 0, 'latin1');
        waiting.set(nextId, { sentAt: performance.now(), done });
        writer.publish(requestTopic, body, (error) => {
          if (error) fail(error);
        });
      });
      const serviceCpuSeconds = processCpuSeconds(service.pid) - serviceCpuBefore;
      return { ...measured, latenciesMs: latencies, serviceCpuSeconds } satisfies Measured;
    } finally {
      reader.close();
      await closeRawWriter(writer);
      await stopService(service);
      await nsqd.deleteTopic(requestTopic);
      await nsqd.deleteTopic(replyTopic);
    }
  },
});

// ═════════════════════════════════════════════════════════════════════════════
// TO FILL IN — rxmini request/response. The message-level transport
// (src/transport/createTransport.ts, request.ts, respond.ts, memoryTransport.ts)
// is being written in parallel; when it is ready, add here:
//   (c) rxmini request(), concurrency 1, service = `responder.js rxmini …` in a
//       child process;                                  target: p50 ≤ 0.5 ms
//   (d) the same at concurrency 100;                    target: ≥ 15,000 req/s
//   (e) memoryTransport() request/response, concurrency 1 and 100, in process;
//       report req/s (the services issue sets the target)
// and give them rows in runRequestReply below (ratios vs (a) and (b)).
// ═════════════════════════════════════════════════════════════════════════════
const rxminiCases: readonly BenchCase<ReplyRound>[] = [];

export const requestReplyGroup = (nsqd: BenchNsqd): BenchGroup<ReplyRound> => ({
  name: 'request/reply',
  cases: [rawRequestReply('a', 1), rawRequestReply('b', 100), ...rxminiCases],
  setupRound: (round) => Promise.resolve({ nsqd, round }),
});

export const runRequestReply = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  const [a, b] = await runGroup(requestReplyGroup(nsqd), options);
  if (!a || !b) throw new Error('request/reply: missing results');
  const section = `request/reply ${MESSAGE_BYTES} B, service in a child process`;
  const notYet = 'rxmini request() not written yet';
  return [
    resultRow(section, a, { unit: 'req/s', withLatency: true, isBaseline: true }),
    resultRow(section, b, { unit: 'req/s', withLatency: true, isBaseline: true }),
    pendingRow(section, '(c) rxmini request(), concurrency 1', 'p50 ≤ 0.5 ms', notYet),
    pendingRow(section, '(d) rxmini request(), concurrency 100', '≥ 15,000 req/s', notYet),
    pendingRow('memory transport', '(e) memoryTransport request/response', 'report only', notYet),
  ];
};
