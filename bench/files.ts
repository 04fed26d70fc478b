/**
 * File transfer (issue 11): a 200 MiB file sent with rxmini against the same
 * bytes published with raw nsqjs MPUB, to the same nsqd, in one run.
 *
 *   (a) raw nsqjs: the file read from disk in chunks of the size rxmini picks
 *       (nsqd's `--max-msg-size` less the envelope: 1 MiB − 512 B), published
 *       as MPUBs of 4 chunks (under nsqd's 5 MiB `--max-body-size`), 2 MPUBs in
 *       flight, until nsqd acknowledged the last. Nobody consumes them. The
 *       **baseline**.
 *   (b) rxmini: `sendLocalFile` of the file, defaults (window 16), to a receiver
 *       process (spec/integration/fixtures/fileReceiver.ts, `receiveFilesToDir`)
 *       that writes it to disk, verifies every chunk and the whole file and
 *       renames it into place; timed from subscribe to the receiver's `done`.
 *       Target: **≥ 0.8× (a)**. The receiver's peak RSS (sampled every 20 ms)
 *       is logged and printed.
 *
 * The warm-up round moves 20 MiB; measured rounds 200 MiB.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, open, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lastValueFrom } from 'rxjs';
import { CHUNK_ENVELOPE_BYTES } from '../src/file/wire';
import { sendLocalFile } from '../src/node/files';
import { nsqTransport } from '../src/transport/nsqTransport';
import type { ReceiverMessage } from '../spec/integration/fixtures/fileReceiver';
import type { BenchNsqd } from './lib/nsqd';
import { processCpuSeconds } from './lib/proc';
import { closeRawWriter, openRawWriter } from './lib/rawNsq';
import { resultRow, type ReportRow } from './lib/report';
import { runGroup, type BenchCase, type BenchGroup, type Measured, type RunOptions } from './lib/runner';

const MiB = 1024 * 1024;
const FILE_MIB = 200;
const WARMUP_MIB = 20;
const CHUNK = MiB - CHUNK_ENVELOPE_BYTES;
const MPUB_CHUNKS = 4;
const MPUB_IN_FLIGHT = 2;
const START_TIMEOUT_MS = 20_000;

interface Round {
  readonly file: string;
  readonly mib: number;
  readonly topic: string;
  readonly receiver: ChildProcess;
  readonly readyRss: number;
  readonly messages: ReceiverMessage[];
}

const writeRandomFile = async (path: string, mib: number): Promise<void> => {
  const handle = await open(path, 'w');
  try {
    for (let i = 0; i < mib; i++) await handle.write(randomBytes(MiB));
  } finally {
    await handle.close();
  }
};

/** Publishes the file's chunks as MPUBs of {@link MPUB_CHUNKS}, {@link MPUB_IN_FLIGHT} at a time. */
const rawSend = async (nsqd: BenchNsqd, topic: string, file: string): Promise<number> => {
  const writer = await openRawWriter(nsqd.host, nsqd.port);
  const handle = await open(file, 'r');
  let bytes = 0;
  try {
    let position = 0;
    let done = false;
    const readBatch = async (): Promise<Buffer[]> => {
      const batch: Buffer[] = [];
      while (batch.length < MPUB_CHUNKS && !done) {
        const buffer = Buffer.allocUnsafe(CHUNK);
        const { bytesRead } = await handle.read(buffer, 0, CHUNK, position);
        if (bytesRead === 0) {
          done = true;
          break;
        }
        position += bytesRead;
        bytes += bytesRead;
        batch.push(bytesRead === CHUNK ? buffer : buffer.subarray(0, bytesRead));
      }
      return batch;
    };
    const lane = async (): Promise<void> => {
      for (;;) {
        const batch = await readBatch();
        if (batch.length === 0) return;
        await new Promise<void>((resolve, reject) =>
          writer.publish(topic, batch, (error) => (error ? reject(error) : resolve())),
        );
      }
    };
    await Promise.all(Array.from({ length: MPUB_IN_FLIGHT }, lane));
  } finally {
    await handle.close();
    await closeRawWriter(writer);
  }
  return bytes;
};

const startReceiver = (
  nsqd: BenchNsqd,
  topic: string,
  dir: string,
): Promise<Round['receiver'] & { rss: number; messages: ReceiverMessage[] }> =>
  new Promise((resolve, reject) => {
    const child = fork(
      join(__dirname, '..', 'spec', 'integration', 'fixtures', 'fileReceiver.js'),
      [nsqd.tcp, nsqd.http, topic, dir, '30000'],
      { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] },
    );
    const messages: ReceiverMessage[] = [];
    const timer = setTimeout(() => reject(new Error('the receiver did not start in time')), START_TIMEOUT_MS);
    child.on('message', (message: ReceiverMessage) => {
      messages.push(message);
      if (message.type !== 'ready') return;
      clearTimeout(timer);
      resolve(Object.assign(child, { rss: message.rss, messages }));
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      reject(new Error(`the receiver exited (${code ?? signal}) before it was ready`));
    });
  });

const stopReceiver = async (child: ChildProcess): Promise<void> => {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGKILL');
  await exited;
};

export const runFiles = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  const root = await mkdtemp(join(tmpdir(), 'rxmini-bench-files-'));
  const big = join(root, 'big.bin');
  const small = join(root, 'small.bin');
  const dir = join(root, 'inbox');
  await Promise.all([writeRandomFile(big, FILE_MIB), writeRandomFile(small, WARMUP_MIB)]);
  const peaks: number[] = [];
  const sender = nsqTransport({ nsqd: nsqd.tcp, nsqdHttp: [nsqd.http], service: 'bench-sender' });
  let rounds = 0;

  const raw: BenchCase<Round> = {
    id: 'a',
    label: `raw nsqjs MPUB of the file's chunks (${MPUB_CHUNKS} per MPUB, ${MPUB_IN_FLIGHT} in flight)`,
    run: async (round) => {
      const topic = `${round.topic}.raw`;
      const started = performance.now();
      const bytes = await rawSend(nsqd, topic, round.file);
      const elapsedMs = performance.now() - started;
      await nsqd.deleteTopic(topic);
      return { count: bytes / MiB, elapsedMs };
    },
  };
  const rxmini: BenchCase<Round> = {
    id: 'b',
    label: 'rxmini sendLocalFile → receiveFilesToDir in another process (verified, on disk)',
    run: async (round): Promise<Measured> => {
      const cpuBefore = processCpuSeconds(round.receiver.pid);
      const started = performance.now();
      const sent = await lastValueFrom(sendLocalFile(sender, round.topic, round.file));
      const elapsedMs = performance.now() - started;
      const completed = await new Promise<Extract<ReceiverMessage, { type: 'completed' }>>((resolve) => {
        const found = round.messages.find((m) => m.type === 'completed');
        if (found?.type === 'completed') return resolve(found);
        round.receiver.on('message', (m: ReceiverMessage) => {
          if (m.type === 'completed') resolve(m);
        });
      });
      peaks.push(completed.peakRss - round.readyRss);
      await rm(completed.location, { force: true });
      return {
        count: (sent.size ?? 0) / MiB,
        elapsedMs,
        serviceCpuSeconds: processCpuSeconds(round.receiver.pid) - cpuBefore,
        note: `receiver RSS ${(round.readyRss / MiB).toFixed(0)} → peak ${(completed.peakRss / MiB).toFixed(0)} MiB`,
      };
    },
  };

  const group: BenchGroup<Round> = {
    name: 'files',
    cases: [raw, rxmini],
    setupRound: async (_round, warmup) => {
      rounds += 1;
      const topic = `bench.files.r${rounds}`;
      await rm(dir, { recursive: true, force: true });
      await mkdir(dir, { recursive: true });
      const receiver = await startReceiver(nsqd, topic, dir);
      return {
        file: warmup ? small : big,
        mib: warmup ? WARMUP_MIB : FILE_MIB,
        topic,
        receiver,
        readyRss: receiver.rss,
        messages: receiver.messages,
      };
    },
    teardownRound: async (round) => {
      await stopReceiver(round.receiver);
      await nsqd.deleteTopic(round.topic).catch(() => undefined);
      // measured rounds only: the warm-up's peak is of a 20 MiB file
      if (round.mib === WARMUP_MIB) peaks.splice(0);
    },
  };
  try {
    const [a, b] = await runGroup(group, options);
    if (!a || !b) throw new Error('files: a case is missing');
    const peak = Math.max(...peaks);
    const section = `files (${FILE_MIB} MiB)`;
    return [
      resultRow(section, a, { unit: 'MiB/s', isBaseline: true }),
      resultRow(section, b, {
        unit: 'MiB/s',
        baselines: [a],
        ratioTarget: { baseline: a, min: 0.8 },
        otherTarget: {
          text: `receiver RSS growth < 64 MiB (peak ${(peak / MiB).toFixed(0)} MiB)`,
          met: peak < 64 * MiB,
        },
      }),
    ];
  } finally {
    await sender.close();
    await rm(root, { recursive: true, force: true });
  }
};
