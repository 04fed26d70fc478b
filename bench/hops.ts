/**
 * Where the time of one request/reply goes at concurrency 1, hop by hop, for
 * raw nsqjs (case a) and rxmini (case c) of the request/reply group, from
 * socket timestamps in both processes (lib/socketTrace.ts). A request cycle is:
 *
 *   client writes the request ──(nsqd)──▶ service reads it
 *   service reads it ──(service code)──▶ service writes the response
 *   service writes it ──(nsqd)──▶ client reads it
 *   client reads it ──(client code, FIN, next request)──▶ client writes the next request
 *
 * Only frames of at least {@link MIN_FRAME_BYTES} count as requests and
 * responses (acks, `OK`s and heartbeats are smaller). One round each, after the
 * case's own warm-up; the first half of the cycles is left out. The writes and
 * reads of the trace itself cost a little on both sides, raw and rxmini alike.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchNsqd } from './lib/nsqd';
import type { ReportRow } from './lib/report';
import type { RunOptions } from './lib/runner';
import { TRACE_FILE_ENV, traceSockets, type SocketEvent } from './lib/socketTrace';
import { percentile } from './lib/stats';
import { requestReplyGroup } from './requestReply';

/** Requests (≥ 427 B for rxmini, 256 B raw) and responses are larger; acks and OKs are smaller. */
const MIN_FRAME_BYTES = 100;

const HOPS = [
  'client write → service read (nsqd)',
  'service read → service write (service)',
  'service write → client read (nsqd)',
  'client read → next client write (client)',
] as const;

type Hop = (typeof HOPS)[number];

/** Per-hop durations (ms) of the request cycles in a merged, time-ordered trace. */
const hopsOf = (client: readonly SocketEvent[], service: readonly SocketEvent[]): Map<Hop, number[]> => {
  const events = [
    ...client.map((e) => ({ at: e[0], side: 'client', dir: e[1], bytes: e[3] })),
    ...service.map((e) => ({ at: e[0], side: 'service', dir: e[1], bytes: e[3] })),
  ]
    .filter((e) => e.bytes >= MIN_FRAME_BYTES)
    .sort((a, b) => a.at - b.at);
  const hops = new Map<Hop, number[]>(HOPS.map((h) => [h, []]));
  const push = (hop: Hop, ms: number): void => void hops.get(hop)?.push(ms);
  let sent: number | undefined;
  let received: number | undefined;
  let answered: number | undefined;
  let replied: number | undefined;
  for (const e of events) {
    if (e.side === 'client' && e.dir === 'w') {
      if (replied !== undefined) push(HOPS[3], e.at - replied);
      sent = e.at;
      received = answered = replied = undefined;
    } else if (e.side === 'service' && e.dir === 'r' && sent !== undefined && received === undefined) {
      received = e.at;
      push(HOPS[0], received - sent);
    } else if (e.side === 'service' && e.dir === 'w' && received !== undefined && answered === undefined) {
      answered = e.at;
      push(HOPS[1], answered - received);
    } else if (e.side === 'client' && e.dir === 'r' && answered !== undefined && replied === undefined) {
      replied = e.at;
      push(HOPS[2], replied - answered);
    }
  }
  // the later half: after the case's warm-up, whatever its length
  for (const [hop, list] of hops) hops.set(hop, list.slice(Math.floor(list.length / 2)));
  return hops;
};

/** Runs request/reply case `index` once with both processes traced; per-hop durations. */
const traceCase = async (nsqd: BenchNsqd, index: number, durationMs: number): Promise<Map<Hop, number[]>> => {
  const benchCase = requestReplyGroup(nsqd).cases[index];
  if (!benchCase) throw new Error(`hops: no request/reply case ${index}`);
  const dir = mkdtempSync(join(tmpdir(), 'rxmini-hops-'));
  const file = join(dir, 'service.json');
  process.env[TRACE_FILE_ENV] = file;
  const trace = traceSockets();
  let client: SocketEvent[];
  try {
    await benchCase.run({ nsqd, round: 100 + index }, { durationMs, warmup: false });
  } finally {
    client = trace.stop();
    delete process.env[TRACE_FILE_ENV];
  }
  try {
    return hopsOf(client, JSON.parse(readFileSync(file, 'utf8')) as SocketEvent[]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const ms = (values: readonly number[], p: number): string =>
  values.length === 0 ? '—' : `${(percentile(values, p) * 1000).toFixed(0)} µs`;

export const runHops = async (nsqd: BenchNsqd, options: RunOptions): Promise<ReportRow[]> => {
  options.log('  hops: raw nsqjs (a), concurrency 1, traced');
  const raw = await traceCase(nsqd, 0, options.durationMs);
  options.log('  hops: rxmini (c), concurrency 1, traced');
  const rxmini = await traceCase(nsqd, 2, options.durationMs);
  const section = 'request/reply hops at concurrency 1 (socket timestamps, p50 / p90)';
  return HOPS.map((hop) => {
    const r = raw.get(hop) ?? [];
    const x = rxmini.get(hop) ?? [];
    return {
      section,
      label: hop,
      result: `rxmini ${ms(x, 50)} / ${ms(x, 90)}`,
      spread: `raw ${ms(r, 50)} / ${ms(r, 90)}`,
      vsBaseline:
        r.length === 0 || x.length === 0
          ? '—'
          : `${percentile(x, 50) - percentile(r, 50) >= 0 ? '+' : ''}${((percentile(x, 50) - percentile(r, 50)) * 1000).toFixed(0)} µs`,
      target: '—',
      met: '—',
      cpu: `${x.length} / ${r.length} cycles`,
    };
  });
};
