/**
 * Spec helpers that run a real nsqlookupd + nsqd (v1.3.0, built by
 * `npm run nsq:build`) on free loopback ports with a temp data dir. Each
 * `describeNsq` block gets its own servers; nothing is shared between spec files.
 *
 * With NSQD_TCP_ADDRESS (and optionally NSQD_HTTP_ADDRESS, NSQLOOKUPD_HTTP_ADDRESS)
 * set, the specs use that server instead (e.g. the docker-compose one); specs
 * that stop or kill nsqd are then skipped, since they cannot control it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, createWriteStream, readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';

/** Addresses of the servers a spec talks to, plus controls over nsqd. */
export interface NsqServers {
  /** nsqd TCP address, `127.0.0.1:port`. */
  readonly nsqdTcp: string;
  /** nsqd HTTP address, `127.0.0.1:port`. */
  readonly nsqdHttp: string;
  /** nsqlookupd HTTP address, when there is one. */
  readonly lookupdHttp: string | undefined;
  /**
   * nsqlookupd TCP address (where nsqd registers), when the spec started it;
   * undefined for external servers. {@link startExtraNsqd} registers with it.
   */
  readonly lookupdTcp?: string | undefined;
  /** True when the servers are external (NSQD_TCP_ADDRESS) and cannot be stopped. */
  readonly external: boolean;
  /** Clean stop of nsqd (SIGTERM): it flushes its queues to the data dir. */
  stop(): Promise<void>;
  /** Crash of nsqd (SIGKILL). */
  kill(): Promise<void>;
  /** Starts nsqd again on the same ports and data dir, and waits for /ping. */
  restart(): Promise<void>;
  /** The last lines nsqd and nsqlookupd logged (for failure messages). */
  logs(): string;
}

const BIN_VERSION = 'v1.3.0';

/** Folder holding the nsqd / nsqlookupd binaries (same rule as scripts/nsq-paths.mjs). */
export const nsqBinDir = (): string =>
  process.env['RXMINI_NSQ_BIN'] ??
  join(process.env['XDG_CACHE_HOME'] ?? join(homedir(), '.cache'), 'rxmini-nsq', BIN_VERSION);

type Availability =
  | { readonly mode: 'local'; readonly dir: string }
  | { readonly mode: 'external'; readonly nsqdTcp: string }
  | { readonly mode: 'none'; readonly reason: string };

/** Whether integration specs can run here, and against what. */
export const nsqAvailability = (): Availability => {
  const external = process.env['NSQD_TCP_ADDRESS'];
  if (external) return { mode: 'external', nsqdTcp: external };
  const dir = nsqBinDir();
  if (existsSync(join(dir, 'nsqd')) && existsSync(join(dir, 'nsqlookupd'))) return { mode: 'local', dir };
  return {
    mode: 'none',
    reason: `no nsqd: ${dir} has no binaries (run \`npm run nsq:build\`, which needs Go) and NSQD_TCP_ADDRESS is not set`,
  };
};

/** A free TCP port on 127.0.0.1. */
export const freePort = (): Promise<number> =>
  new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Polls `http://address/ping` until it answers OK, or fails after `timeoutMs`. */
export const waitForPing = async (httpAddress: string, timeoutMs = 10_000): Promise<void> => {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://${httpAddress}/ping`);
      if (res.ok) return;
      last = new Error(`HTTP ${res.status}`);
    } catch (err) {
      last = err;
    }
    await sleep(25);
  }
  throw new Error(`no answer from http://${httpAddress}/ping within ${timeoutMs} ms: ${String(last)}`);
};

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

const startProcess = (bin: string, args: readonly string[], logFile: string): ChildProcess => {
  const child = spawn(bin, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
};

const exited = (child: ChildProcess): Promise<void> =>
  child.exitCode !== null || child.signalCode !== null
    ? Promise.resolve()
    : new Promise((resolve) => child.once('exit', () => resolve()));

const tail = (file: string, lines = 30): string => {
  try {
    return readFileSync(file, 'utf8').split('\n').slice(-lines).join('\n');
  } catch {
    return '';
  }
};

interface LocalServers extends NsqServers {
  close(): Promise<void>;
}

/** Extra settings for the nsqd a spec starts. */
export interface LocalNsqOptions {
  /**
   * Flags appended to nsqd's command line (e.g. `--tls-cert=…`,
   * `--auth-http-address=…`). With TLS flags, also pass `--https-address` on a
   * free port ({@link freePort}): nsqd otherwise binds 0.0.0.0:4152.
   */
  readonly nsqdArgs?: readonly string[];
}

/** nsqd's command line: loopback ports, registered with nsqlookupd at `lookupdTcp`, data in `dataDir`. */
const localNsqdArgs = (
  ports: { readonly tcp: number; readonly http: number },
  lookupdTcp: string,
  dataDir: string,
  extra: readonly string[] = [],
): string[] => [
  `--tcp-address=127.0.0.1:${ports.tcp}`,
  `--http-address=127.0.0.1:${ports.http}`,
  '--broadcast-address=127.0.0.1',
  `--lookupd-tcp-address=${lookupdTcp}`,
  `--data-path=${dataDir}`,
  '--log-level=warn',
  ...extra,
];

/** An nsqd process that can be stopped, crashed and started again with the same arguments. */
interface NsqdProcess {
  stop(): Promise<void>;
  kill(): Promise<void>;
  restart(): Promise<void>;
}

const nsqdProcess = (bin: string, args: readonly string[], logFile: string, http: string): NsqdProcess => {
  let nsqd = startProcess(bin, args, logFile);
  return {
    async stop() {
      nsqd.kill('SIGTERM');
      await exited(nsqd);
    },
    async kill() {
      nsqd.kill('SIGKILL');
      await exited(nsqd);
    },
    async restart() {
      await exited(nsqd);
      nsqd = startProcess(bin, args, logFile);
      await waitForPing(http);
    },
  };
};

/** Starts nsqlookupd + nsqd from the cached binaries. */
export const startLocalNsq = async (dir: string, options: LocalNsqOptions = {}): Promise<LocalServers> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'rxmini-nsq-'));
  const [lookupTcp, lookupHttp, nsqdTcpPort, nsqdHttpPort] = await Promise.all([
    freePort(),
    freePort(),
    freePort(),
    freePort(),
  ]);
  const lookupdLog = join(dataDir, 'nsqlookupd.log');
  const nsqdLog = join(dataDir, 'nsqd.log');
  const lookupd = startProcess(
    join(dir, 'nsqlookupd'),
    [
      `--tcp-address=127.0.0.1:${lookupTcp}`,
      `--http-address=127.0.0.1:${lookupHttp}`,
      '--broadcast-address=127.0.0.1',
    ],
    lookupdLog,
  );
  const nsqdArgs = localNsqdArgs(
    { tcp: nsqdTcpPort, http: nsqdHttpPort },
    `127.0.0.1:${lookupTcp}`,
    dataDir,
    options.nsqdArgs,
  );
  const nsqdHttp = `127.0.0.1:${nsqdHttpPort}`;
  const nsqd = nsqdProcess(join(dir, 'nsqd'), nsqdArgs, nsqdLog, nsqdHttp);
  const servers: LocalServers = {
    nsqdTcp: `127.0.0.1:${nsqdTcpPort}`,
    nsqdHttp,
    lookupdHttp: `127.0.0.1:${lookupHttp}`,
    lookupdTcp: `127.0.0.1:${lookupTcp}`,
    external: false,
    stop: nsqd.stop,
    kill: nsqd.kill,
    restart: nsqd.restart,
    logs: () => `--- nsqd ---\n${tail(nsqdLog)}\n--- nsqlookupd ---\n${tail(lookupdLog)}`,
    async close() {
      lookupd.kill('SIGTERM');
      await Promise.all([nsqd.stop(), exited(lookupd)]);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await Promise.all([waitForPing(servers.lookupdHttp as string), waitForPing(servers.nsqdHttp)]);
  } catch (err) {
    const logs = servers.logs();
    await servers.close();
    throw new Error(`${String(err)}\n${logs}`);
  }
  return servers;
};

/** One more nsqd, beside the one {@link startLocalNsq} started, with its own ports and data dir. */
export interface ExtraNsqd {
  /** nsqd TCP address, `127.0.0.1:port`. */
  readonly nsqdTcp: string;
  /** nsqd HTTP address, `127.0.0.1:port`. */
  readonly nsqdHttp: string;
  /** Clean stop (SIGTERM): nsqd flushes its queues and leaves nsqlookupd. */
  stop(): Promise<void>;
  /** Crash (SIGKILL). */
  kill(): Promise<void>;
  /** Starts it again on the same ports and data dir, and waits for /ping. */
  restart(): Promise<void>;
  /** The last lines it logged. */
  logs(): string;
  /** Stops it (SIGTERM) and removes its data dir; safe to call twice. */
  close(): Promise<void>;
}

/**
 * Starts one more nsqd on free loopback ports with a temp data dir, registered
 * with the nsqlookupd at `lookupdTcp` (see {@link NsqServers.lookupdTcp}), and
 * waits for its /ping. The caller closes it (e.g. in `afterEach`).
 */
export const startExtraNsqd = async (
  lookupdTcp: string,
  options: LocalNsqOptions & { readonly dir?: string } = {},
): Promise<ExtraNsqd> => {
  const dir = options.dir ?? nsqBinDir();
  const dataDir = mkdtempSync(join(tmpdir(), 'rxmini-nsqd-'));
  const [tcp, http] = await Promise.all([freePort(), freePort()]);
  const log = join(dataDir, 'nsqd.log');
  const args = localNsqdArgs({ tcp, http }, lookupdTcp, dataDir, options.nsqdArgs);
  const nsqdHttp = `127.0.0.1:${http}`;
  const nsqd = nsqdProcess(join(dir, 'nsqd'), args, log, nsqdHttp);
  const extra: ExtraNsqd = {
    nsqdTcp: `127.0.0.1:${tcp}`,
    nsqdHttp,
    stop: nsqd.stop,
    kill: nsqd.kill,
    restart: nsqd.restart,
    logs: () => `--- extra nsqd ${tcp} ---\n${tail(log)}`,
    async close() {
      await nsqd.stop();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
  try {
    await waitForPing(extra.nsqdHttp);
  } catch (err) {
    const logs = extra.logs();
    await extra.close();
    throw new Error(`${String(err)}\n${logs}`);
  }
  return extra;
};

const externalServers = (nsqdTcp: string): LocalServers => {
  const [host, port] = nsqdTcp.split(':');
  const unsupported = (): Promise<void> =>
    Promise.reject(new Error('cannot stop, kill or restart an external nsqd (NSQD_TCP_ADDRESS)'));
  return {
    nsqdTcp,
    nsqdHttp: process.env['NSQD_HTTP_ADDRESS'] ?? `${host}:${Number(port) + 1}`,
    lookupdHttp: process.env['NSQLOOKUPD_HTTP_ADDRESS'],
    external: true,
    stop: unsupported,
    kill: unsupported,
    restart: unsupported,
    logs: () => '(external nsqd: no logs)',
    close: () => Promise.resolve(),
  };
};

/** Options of {@link describeNsq}. */
export interface DescribeNsqOptions {
  /**
   * Extra nsqd flags, computed in the block's `beforeAll` just before nsqd starts
   * (so certificates or an auth server can be set up first). A block with extra
   * flags needs its own nsqd: against an external one (NSQD_TCP_ADDRESS) it is skipped.
   */
  readonly nsqdArgs?: () => readonly string[] | Promise<readonly string[]>;
}

/**
 * `describe` whose specs run against their own real nsqd + nsqlookupd. The
 * callback gets a getter for the servers (valid inside specs and hooks).
 * Without binaries or NSQD_TCP_ADDRESS the block is reported as skipped, loudly;
 * with CI=true that is a failure instead.
 */
export const describeNsq = (
  name: string,
  body: (servers: () => NsqServers) => void,
  options: DescribeNsqOptions = {},
): void => {
  const availability = nsqAvailability();
  if (availability.mode === 'external' && options.nsqdArgs) {
    describe(`${name} [integration: real nsqd]`, () => {
      it('needs its own nsqd with extra flags', () => {
        pending(
          'SKIPPED: these specs start nsqd with extra flags; an external nsqd (NSQD_TCP_ADDRESS) cannot',
        );
      });
    });
    return;
  }
  if (availability.mode === 'none') {
    describe(`${name} [integration: real nsqd]`, () => {
      it('needs a real nsqd', () => {
        if (process.env['CI'] === 'true') fail(`CI=true and ${availability.reason}`);
        else pending(`SKIPPED: ${availability.reason}`);
      });
    });
    if (process.env['CI'] !== 'true') {
      process.emitWarning(`integration specs "${name}" SKIPPED: ${availability.reason}`);
    }
    return;
  }
  describe(`${name} [integration: real nsqd]`, () => {
    let current: LocalServers | undefined;
    beforeAll(async () => {
      current =
        availability.mode === 'local'
          ? await startLocalNsq(availability.dir, { nsqdArgs: (await options.nsqdArgs?.()) ?? [] })
          : externalServers(availability.nsqdTcp);
    }, 30_000);
    afterAll(async () => {
      await current?.close();
    }, 30_000);
    body(() => {
      if (!current) throw new Error('nsq servers are not started (use them inside specs and hooks)');
      return current;
    });
  });
};

/** POSTs to an nsqd/nsqlookupd admin endpoint (e.g. `/topic/create?topic=t`). */
export const nsqPost = async (httpAddress: string, path: string): Promise<void> => {
  const res = await fetch(`http://${httpAddress}${path}`, { method: 'POST' });
  if (!res.ok) throw new Error(`POST ${path}: HTTP ${res.status} ${await res.text()}`);
};

/** POSTs `bytes` to nsqd's `/pub?topic=…`: what a producer that is not rxmini (or `to_nsq`) does. */
export const nsqPub = async (httpAddress: string, topic: string, bytes: Uint8Array): Promise<void> => {
  const res = await fetch(`http://${httpAddress}/pub?topic=${encodeURIComponent(topic)}`, {
    method: 'POST',
    body: new Uint8Array(bytes).buffer as ArrayBuffer,
  });
  if (!res.ok) throw new Error(`POST /pub: HTTP ${res.status} ${await res.text()}`);
};

/** GETs JSON from nsqd/nsqlookupd. */
export const nsqGet = async <T>(httpAddress: string, path: string): Promise<T> => {
  const res = await fetch(`http://${httpAddress}${path}`);
  if (!res.ok) throw new Error(`GET ${path}: HTTP ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};

/** One client of a channel in nsqd's `/stats?format=json`. */
export interface NsqClientStats {
  readonly ready_count: number;
  readonly in_flight_count: number;
  readonly finish_count: number;
  readonly requeue_count: number;
  readonly tls?: boolean;
}

/** One channel in nsqd's `/stats?format=json` (nsqd answers null for an empty list). */
export interface NsqChannelStats {
  readonly channel_name: string;
  readonly depth: number;
  readonly in_flight_count: number;
  readonly deferred_count: number;
  readonly message_count: number;
  readonly requeue_count: number;
  readonly timeout_count: number;
  readonly client_count: number;
  readonly clients: readonly NsqClientStats[] | null;
}

/** nsqd's `/stats?format=json`, as far as the specs read it. */
export interface NsqStats {
  readonly topics:
    | readonly {
        readonly topic_name: string;
        readonly message_count: number;
        readonly channels: readonly NsqChannelStats[] | null;
      }[]
    | null;
}

/** The stats of one channel of one topic, or undefined when nsqd has no such channel. */
export const nsqChannelStats = async (
  httpAddress: string,
  topic: string,
  channel: string,
): Promise<NsqChannelStats | undefined> => {
  const stats = await nsqGet<NsqStats>(httpAddress, `/stats?format=json&topic=${topic}`);
  return (stats.topics ?? [])
    .find((t) => t.topic_name === topic)
    ?.channels?.find((c) => c.channel_name === channel);
};

/**
 * A TCP relay to nsqd on `port`. Once stalled it no longer passes the client's
 * bytes on (a hung path); `drop` destroys its connections, as a lost network
 * path or nsqd going away would, and relays new ones again.
 */
export interface Relay {
  /** Where the relay listens, `127.0.0.1:port`. */
  readonly address: string;
  stall(): void;
  drop(): void;
  close(): Promise<void>;
}

export const startRelay = async (port: number, nsqdTcp: string): Promise<Relay> => {
  const [host = '127.0.0.1', nsqdPort = ''] = nsqdTcp.split(':');
  let forwarding = true;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(Number(nsqdPort), host);
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on('data', (chunk) => {
        if (forwarding || from === upstream) to.write(chunk);
      });
      from.on('error', () => to.destroy());
      from.on('close', () => {
        sockets.delete(from);
        to.destroy();
      });
    }
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', resolve);
  });
  return {
    address: `127.0.0.1:${port}`,
    stall: () => {
      forwarding = false;
    },
    drop: () => {
      for (const socket of sockets) socket.destroy();
      forwarding = true;
    },
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
};
