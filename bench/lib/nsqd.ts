/**
 * One nsqd for a whole benchmark run, started from the binaries the spec
 * harness uses (`npm run nsq:build`), on free 127.0.0.1 ports with a temp data
 * dir. Unlike the spec harness it runs without nsqlookupd and with
 * `--mem-queue-size=1000000`, as nsq's own `bench.sh` does, so that backlogs stay
 * in memory and the disk queue's fsyncs are not what gets measured.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdtempSync, openSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort, nsqBinDir, waitForPing } from '../../spec/helpers/nsq';
import { processCpuSeconds } from './proc';

/** A running nsqd and the admin calls the benchmarks need. */
export interface BenchNsqd {
  /** TCP address, `127.0.0.1:port`. */
  readonly tcp: string;
  readonly host: string;
  readonly port: number;
  /** HTTP address, `127.0.0.1:port`. */
  readonly http: string;
  /** `nsqd v1.3.0 (built w/go…)`. */
  readonly version: string;
  /** CPU seconds (user + system) nsqd has used so far; NaN where /proc is missing. */
  cpuSeconds(): number;
  /** Creates a topic and, optionally, channels on it (so they get every message published after). */
  createTopic(topic: string, channels?: readonly string[]): Promise<void>;
  /** Deletes a topic with its channels and messages (frees the memory a publish case filled). */
  deleteTopic(topic: string): Promise<void>;
  /** Messages waiting in a channel (`depth`), from `/stats`. */
  channelDepth(topic: string, channel: string): Promise<number>;
  /** SIGTERM, wait for exit, remove the data dir. */
  close(): Promise<void>;
}

const post = async (http: string, path: string): Promise<void> => {
  const res = await fetch(`http://${http}${path}`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
};

interface StatsBody {
  readonly topics?: readonly {
    readonly topic_name: string;
    readonly channels?: readonly { readonly channel_name: string; readonly depth: number }[];
  }[];
}

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

/** Starts nsqd; throws with a hint when the binaries are missing. */
export const startBenchNsqd = async (): Promise<BenchNsqd> => {
  const bin = join(nsqBinDir(), 'nsqd');
  if (!existsSync(bin)) throw new Error(`no nsqd at ${bin}: run \`npm run nsq:build\` first`);
  const version = execFileSync(bin, ['--version'], { encoding: 'utf8' }).trim();
  const dataDir = mkdtempSync(join(tmpdir(), 'rxmini-bench-nsq-'));
  const [tcpPort, httpPort] = await Promise.all([freePort(), freePort()]);
  const logFile = join(dataDir, 'nsqd.log');
  const logFd = openSync(logFile, 'a');
  const child = spawn(
    bin,
    [
      `--tcp-address=127.0.0.1:${tcpPort}`,
      `--http-address=127.0.0.1:${httpPort}`,
      '--broadcast-address=127.0.0.1',
      `--data-path=${dataDir}`,
      '--mem-queue-size=1000000',
      '--log-level=warn',
    ],
    // its client-disconnect chatter goes to a file, shown only when nsqd does not start
    { stdio: ['ignore', logFd, logFd] },
  );
  closeSync(logFd);
  // a benchmark that dies must not leave nsqd behind
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);
  const http = `127.0.0.1:${httpPort}`;
  const close = async (): Promise<void> => {
    child.kill('SIGTERM');
    await exited(child);
    process.removeListener('exit', killOnExit);
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await waitForPing(http);
  } catch (error) {
    const log = readFileSync(logFile, 'utf8').split('\n').slice(-20).join('\n');
    await close();
    throw new Error(`nsqd did not start: ${String(error)}\n${log}`);
  }
  return {
    tcp: `127.0.0.1:${tcpPort}`,
    host: '127.0.0.1',
    port: tcpPort,
    http,
    version,
    cpuSeconds: () => processCpuSeconds(child.pid),
    async createTopic(topic, channels = []) {
      await post(http, `/topic/create?topic=${encodeURIComponent(topic)}`);
      for (const channel of channels) {
        await post(
          http,
          `/channel/create?topic=${encodeURIComponent(topic)}&channel=${encodeURIComponent(channel)}`,
        );
      }
    },
    deleteTopic: (topic) => post(http, `/topic/delete?topic=${encodeURIComponent(topic)}`),
    async channelDepth(topic, channel) {
      const res = await fetch(`http://${http}/stats?format=json&topic=${encodeURIComponent(topic)}`);
      const body = (await res.json()) as StatsBody;
      const found = body.topics
        ?.find((t) => t.topic_name === topic)
        ?.channels?.find((c) => c.channel_name === channel);
      return found?.depth ?? 0;
    },
    close,
  };
};
