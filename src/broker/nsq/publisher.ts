/**
 * A publisher over one nsqd: validated, batched, acknowledged publishes on a
 * connection that reconnects by itself.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import * as nsq from 'nsqjs';
import {
  BehaviorSubject,
  Subject,
  asyncScheduler,
  defer,
  distinctUntilChanged,
  firstValueFrom,
  of,
  timer,
  type Observable,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import {
  BadRequestError,
  ConfigError,
  EmptyMessageError,
  PayloadTooLargeError,
  TimeoutError,
  TransportClosedError,
} from '../../errors.js';
import { DEFAULT_MAX_MESSAGE_BYTES, MAX_REQUEUE_DELAY_MS } from '../../constant/limits.js';
import { noopLogger } from '../../logger/noopLogger.js';
import type { ILogger } from '../../logger/types.js';
import { validateTopic } from '../names.js';
import { parseHostPort } from './address.js';
import { reconnectDelay, resolveReconnect, type ReconnectOptions } from './backoff.js';
import { splitIntoBatches } from './batch.js';
import {
  guardTlsConnection,
  nsqjsConnectionConfig,
  wantsTls,
  writerUsesTls,
  type NsqConnectionOptions,
} from './connectionOptions.js';
import { PublishFailedError, PublishQueueFullError, PublishTimeoutError } from './errors.js';
import { onWriterConnection, writeCommand, writerConnection } from './internals.js';
import {
  fetchNsqdLimits,
  isSizeRefusal,
  parseSizeRefusal,
  planAfterRefusal,
  type NsqdLimits,
} from './limits.js';
import { encodeMpub, encodePub } from './wire.js';

/** Where a connection to nsqd stands. */
export type NsqConnectionStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** Options of {@link createNsqPublisher}. */
export interface NsqPublisherOptions extends NsqConnectionOptions {
  /** nsqd TCP address, `host:port` (use `127.0.0.1`, not `localhost`: Node 18+ resolves it to ::1). */
  readonly nsqd: string;
  /** Longest a publish may take from the call to nsqd's `OK`, waiting for a connection included. Default 5000. */
  readonly publishTimeoutMs?: number;
  /** Most publishes not yet acknowledged at once; beyond it publish rejects at once. Default 10 000. */
  readonly maxQueued?: number;
  /** Reconnect spacing (default {@link DEFAULT_RECONNECT}). */
  readonly reconnect?: Partial<ReconnectOptions>;
  /** Longest a connection attempt may take before it is abandoned and retried. Default 5000. */
  readonly connectTimeoutMs?: number;
  /**
   * Largest message body this publisher sends. Default: nsqd's `--max-msg-size`,
   * read from `nsqdHttp` or learned from nsqd's first refusal; 1 MiB until then.
   * When set, a lower limit from nsqd still applies.
   */
  readonly maxMessageBytes?: number;
  /**
   * Largest MPUB body; bigger batches are split. Default: nsqd's
   * `--max-body-size`, learned as `maxMessageBytes` is; 5 MiB until then. When
   * set, a lower limit from nsqd still applies.
   */
  readonly maxBodyBytes?: number;
  /**
   * nsqd's HTTP address (`host:port` or URL). On every connection the publisher
   * reads `--max-msg-size` and `--max-body-size` there, and it holds its first
   * publishes until it has (for at most `httpTimeoutMs`). Default: none; the
   * limits are then learned from nsqd's refusals, each of which costs a reconnect.
   */
  readonly nsqdHttp?: string;
  /** Time for reading nsqd's limits from `nsqdHttp`, in ms. Default 2000. */
  readonly httpTimeoutMs?: number;
  /** Longest deferral, nsqd's `--max-req-timeout`. Default 1 h. */
  readonly maxDeferMs?: number;
  /** Time source for timeouts and reconnect delays. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where connection events go. Default: nowhere. */
  readonly logger?: ILogger;
}

/** Counters of a {@link NsqPublisher}, for metrics and tests. */
export interface NsqPublisherStats {
  /** PUB, MPUB and DPUB commands written to nsqd. */
  readonly commands: number;
  /** Of those, MPUB commands (two or more messages). */
  readonly batches: number;
  /** Messages nsqd acknowledged. */
  readonly acknowledged: number;
  /** Publishes accepted and not yet settled (queued or awaiting `OK`). */
  readonly outstanding: number;
  /** Connections opened after the first. */
  readonly reconnects: number;
  /**
   * Commands nsqd refused (an error frame, after which nsqd closes the
   * connection). The publishes sent behind one were not read: they go again.
   */
  readonly refused: number;
}

/**
 * How a body is handed to {@link NsqPublisher.publish}.
 *
 * @example
 * ```ts
 * import { createNsqPublisher, type NsqPublishOptions } from 'rxmini/nsq';
 * const publisher = createNsqPublisher({ nsqd: '127.0.0.1:4150' });
 * const handOver: NsqPublishOptions = { handOver: true };
 * // a buffer made for this publish alone: sent as it is, not copied
 * await publisher.publish('uploads', new Uint8Array(1024 * 1024), handOver);
 * ```
 */
export interface NsqPublishOptions {
  /**
   * The caller gives a `Uint8Array` body up: nobody writes to it again, so the
   * publisher keeps and sends that memory as it is until the publish settles,
   * instead of copying it first. Default false: the body is copied, and the
   * caller may reuse its bytes as soon as `publish` returns.
   */
  readonly handOver?: boolean;
}

/** A publisher over one nsqd, from {@link createNsqPublisher}. */
export interface NsqPublisher {
  /**
   * Publishes one message. Resolves when nsqd acknowledged it. Publishes to one
   * topic made in the same event-loop turn go out together as MPUB (split to
   * fit `maxBodyBytes`), once the turn's I/O callbacks ran. When nsqd refuses an MPUB for a size it did not tell
   * before, only the message over its limit fails; the others, and the
   * publishes sent behind the refused command, go again on the next connection.
   *
   * Rejects with `InvalidNameError`, `EmptyMessageError`, `PayloadTooLargeError`
   * (over {@link NsqPublisher.limits}: nothing sent, the connection untouched),
   * `PublishQueueFullError`,
   * `PublishTimeoutError`, `PublishFailedError` or `TransportClosedError`.
   * A `PublishTimeoutError` carries, as its `cause` and at the end of its
   * message, the last connection error seen since a connection was last ready
   * (refused dial, TLS or AUTH failure, connect timeout), when there was one.
   */
  publish(topic: string, body: Uint8Array | string, options?: NsqPublishOptions): Promise<void>;
  /**
   * Publishes one message that nsqd holds for `delayMs` (an integer, 1 ms to
   * `maxDeferMs`) before delivering it (DPUB). Same errors as `publish`, plus
   * `BadRequestError` for a bad delay.
   */
  publishDeferred(
    topic: string,
    body: Uint8Array | string,
    delayMs: number,
    options?: NsqPublishOptions,
  ): Promise<void>;
  /** Connection status; replays the current one; completes after `closed`. */
  readonly status$: Observable<NsqConnectionStatus>;
  /** Current counters. */
  stats(): NsqPublisherStats;
  /**
   * The limits publishes are checked against now: nsqd's, as last read or
   * learned, capped by the options.
   */
  limits(): NsqdLimits;
  /**
   * Stops taking publishes (they reject with `TransportClosedError`), waits for
   * the ones accepted to settle (each is bounded by `publishTimeoutMs`), then
   * closes the connection. Idempotent.
   */
  close(): Promise<void>;
}

type PendingState = 'queued' | 'sent' | 'done';

interface Pending {
  readonly topic: string;
  readonly body: Buffer;
  /** Set for DPUB. */
  readonly deferMs: number | undefined;
  state: PendingState;
  /** Scheduler time it was written to nsqd. */
  sentAt: number;
  /** Commands nsqd refused with it inside, for their size or framing. */
  refusals: number;
  /** Sent as a command of its own (it was in a refused MPUB whose culprit is unknown). */
  alone: boolean;
  readonly group: TimeoutGroup;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
}

/** Publishes written together (made in one event-loop turn) share one timeout timer. */
interface TimeoutGroup {
  items: Pending[];
  remaining: number;
  timer: Subscription | undefined;
}

const DEFAULTS = {
  publishTimeoutMs: 5_000,
  maxQueued: 10_000,
  connectTimeoutMs: 5_000,
  maxMessageBytes: DEFAULT_MAX_MESSAGE_BYTES,
  maxBodyBytes: 5 * 1024 * 1024,
  maxDeferMs: MAX_REQUEUE_DELAY_MS,
  httpTimeoutMs: 2_000,
} as const;

const isPositiveInt = (value: number): boolean => Number.isInteger(value) && value > 0;

const toBody = (body: Uint8Array | string, handOver: boolean): Buffer => {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  // handed over: the caller's memory itself, seen as a Buffer (a view, not a copy)
  if (handOver) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  // a copy: the caller may reuse its buffer before the next tick sends it
  return Buffer.from(body);
};

const bodySize = (item: Pending): number => item.body.length;

const describeError = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/**
 * The timeout of `item`, naming `lastConnectionError` (when there is one) as its
 * cause and at the end of its message, so "no connection was ready" says why.
 */
const toPublishTimeout = (
  item: Pending,
  timeoutMs: number,
  lastConnectionError: Error | undefined,
): PublishTimeoutError => {
  const ambiguous = item.state === 'sent';
  return lastConnectionError
    ? new PublishTimeoutError(item.topic, timeoutMs, ambiguous, { cause: lastConnectionError })
    : new PublishTimeoutError(item.topic, timeoutMs, ambiguous);
};

/** nsqd error frames start with their code (`E_BAD_TOPIC …`): nsqd refused, nothing was queued. */
const isNsqdError = (reason: string): boolean => /^E_[A-Z_]+/.test(reason);

const toPublishError = (topic: string, error: unknown): PublishFailedError => {
  const reason = describeError(error);
  const refused = isNsqdError(reason) || reason.startsWith('No active Writer connection');
  return new PublishFailedError(topic, !refused, reason, { cause: error });
};

const resolveSettings = (options: NsqPublisherOptions) => {
  const settings = {
    publishTimeoutMs: options.publishTimeoutMs ?? DEFAULTS.publishTimeoutMs,
    maxQueued: options.maxQueued ?? DEFAULTS.maxQueued,
    connectTimeoutMs: options.connectTimeoutMs ?? DEFAULTS.connectTimeoutMs,
    maxMessageBytes: options.maxMessageBytes ?? DEFAULTS.maxMessageBytes,
    maxBodyBytes: options.maxBodyBytes ?? DEFAULTS.maxBodyBytes,
    maxDeferMs: options.maxDeferMs ?? DEFAULTS.maxDeferMs,
    httpTimeoutMs: options.httpTimeoutMs ?? DEFAULTS.httpTimeoutMs,
  };
  for (const [key, value] of Object.entries(settings)) {
    if (!isPositiveInt(value))
      throw new ConfigError(`nsq publisher: ${key} must be a positive integer, got ${value}`);
  }
  const heartbeat = options.heartbeatIntervalSec;
  if (heartbeat !== undefined && !(Number.isInteger(heartbeat) && heartbeat >= 1 && heartbeat <= 60)) {
    throw new ConfigError(
      `nsq publisher: heartbeatIntervalSec must be an integer from 1 to 60, got ${heartbeat}`,
    );
  }
  const address = parseHostPort(options.nsqd);
  if (isLeft(address)) throw address.left;
  const reconnect = resolveReconnect(options.reconnect);
  if (isLeft(reconnect)) throw reconnect.left;
  return { ...settings, address: address.right, reconnect: reconnect.right };
};

/**
 * Creates a publisher over one nsqd and starts connecting. nsqjs's Writer never
 * reconnects and dies on any publish error; this one validates names and sizes
 * before anything is sent, reconnects with backoff, holds publishes made while
 * disconnected (bounded by `maxQueued`, each for at most `publishTimeoutMs`), and
 * rejects every publish it cannot complete with a typed error — none is dropped
 * silently. A publish that times out carries the last connection error (refused
 * dial, TLS or AUTH failure, connect timeout) as its `cause`; a connection that
 * becomes ready clears it.
 *
 * @throws `ConfigError` for invalid options.
 * @example
 * ```ts
 * import { createNsqPublisher } from 'rxmini/nsq';
 * const publisher = createNsqPublisher({ nsqd: '127.0.0.1:4150' });
 * await publisher.publish('orders.created', JSON.stringify({ id: 1 }));
 * await publisher.publishDeferred('orders.reminder', 'ping', 60_000);
 * await publisher.close();
 * ```
 * @see {@link consumeNsq}
 */
export const createNsqPublisher = (options: NsqPublisherOptions): NsqPublisher => {
  const settings = resolveSettings(options);
  const { host, port } = settings.address;
  const scheduler = options.scheduler ?? asyncScheduler;
  const log = (options.logger ?? noopLogger).with('nsqd', options.nsqd);
  const nsqjsConfig = nsqjsConnectionConfig(options);
  const requireTls = wantsTls(options);

  const newWriter = (): nsq.Writer => {
    try {
      return new nsq.Writer(host, port, nsqjsConfig);
    } catch (error) {
      throw new ConfigError(`nsq publisher: ${error instanceof Error ? error.message : String(error)}`, {
        cause: error,
      });
    }
  };

  const status = new BehaviorSubject<NsqConnectionStatus>('connecting');
  const drained = new Subject<void>();
  const counters = { commands: 0, batches: 0, acknowledged: 0, reconnects: 0, refused: 0 };
  /** What publishes are checked against: nsqd's limits once known, never above the options'. */
  const limits = { maxMessageBytes: settings.maxMessageBytes, maxBodyBytes: settings.maxBodyBytes };
  /** What `limits()` hands out (a copy, replaced when a limit changes: the transport reads it per message). */
  let limitsView: NsqdLimits = { ...limits };
  const caps: NsqdLimits = {
    maxMessageBytes: options.maxMessageBytes ?? Number.POSITIVE_INFINITY,
    maxBodyBytes: options.maxBodyBytes ?? Number.POSITIVE_INFINITY,
  };
  /** Writers nsqd refused a command on: it read nothing after it, so what was sent behind it goes again. */
  const refusedOn = new WeakSet<nsq.Writer>();

  let writer: nsq.Writer | undefined;
  let ready = false;
  let attempt = 0;
  let reconnectTimer: Subscription | undefined;
  let connectTimer: Subscription | undefined;
  let closing: Promise<void> | undefined;
  let closed = false;
  /** Accepted publishes not yet handed to nsqjs (timed-out ones are pruned). */
  let queue: Pending[] = [];
  /** Publishes nsqd never read (behind or inside a refused command), sent again before `queue`. */
  let resend: Pending[] = [];
  /** True until nsqd's limits were first asked for over HTTP: publishes wait for the answer. */
  let awaitingLimits = options.nsqdHttp !== undefined;
  let outstanding = 0;
  let flushScheduled = false;
  let tickGroup: TimeoutGroup | undefined;
  /** Why the current or last connection attempt failed; cleared when a connection becomes ready. */
  let lastConnectionError: Error | undefined;

  const settle = (item: Pending, error?: Error): void => {
    if (item.state === 'done') return;
    item.state = 'done';
    outstanding -= 1;
    const group = item.group;
    group.remaining -= 1;
    if (group.remaining === 0) {
      group.timer?.unsubscribe();
      group.items = [];
    }
    if (error) item.reject(error);
    else {
      counters.acknowledged += 1;
      item.resolve();
    }
    if (outstanding === 0) drained.next();
  };

  const closeWriter = (w: nsq.Writer): void => {
    try {
      w.close();
    } catch {
      // the socket is created on the tick after connect(); close once it exists
      process.nextTick(() => {
        try {
          w.close();
        } catch {
          // already gone
        }
      });
    }
  };

  const expire = (group: TimeoutGroup): void => {
    let stalled = false;
    const now = scheduler.now();
    for (const item of group.items) {
      if (item.state === 'done') continue;
      // a publish that waited for a reconnect and was sent just now says nothing about the connection
      stalled ||= item.state === 'sent' && now - item.sentAt >= settings.publishTimeoutMs / 2;
      settle(item, toPublishTimeout(item, settings.publishTimeoutMs, lastConnectionError));
    }
    // groups expire oldest first and the queue is in publish order: the expired items are its head
    let expired = 0;
    while (expired < queue.length && queue[expired]?.state === 'done') expired += 1;
    if (expired > 0) queue.splice(0, expired);
    // an OK that does not come back in half the budget means the connection is presumed dead
    if (stalled && writer && ready) {
      log.warn('nsq publisher: a publish was not acknowledged in time; reconnecting');
      closeWriter(writer);
    }
  };

  const currentGroup = (): TimeoutGroup => {
    if (tickGroup) return tickGroup;
    const group: TimeoutGroup = { items: [], remaining: 0, timer: undefined };
    // scheduler.schedule, not timer(): one action per flush, no Observable around it
    group.timer = scheduler.schedule(() => expire(group), settings.publishTimeoutMs);
    tickGroup = group;
    return group;
  };

  /**
   * Takes nsqd's own `learned` limits, capped by the options. Returns true when
   * one went down (a refusal then has a new limit to batch by).
   */
  const applyLimits = (learned: Partial<NsqdLimits>, from: string): boolean => {
    let lowered = false;
    for (const key of ['maxMessageBytes', 'maxBodyBytes'] as const) {
      const value = learned[key];
      if (value === undefined) continue;
      const next = Math.min(caps[key], value);
      if (next === limits[key]) continue;
      lowered ||= next < limits[key];
      limits[key] = next;
      limitsView = { ...limits };
      log.info('nsq publisher: nsqd limit', { limit: key, bytes: next, from });
    }
    return lowered;
  };

  /** Reads nsqd's limits over HTTP (when its address is known); the first answer, or failure, releases the publishes. */
  const readLimits = (): void => {
    const http = options.nsqdHttp;
    if (http === undefined) return;
    fetchNsqdLimits(http, settings.httpTimeoutMs)
      .then(
        (answer) => void applyLimits(answer, http),
        (error: unknown) =>
          log.debug('nsq publisher: cannot read nsqd limits', {
            nsqdHttp: http,
            error: describeError(error),
          }),
      )
      .finally(() => {
        if (!awaitingLimits) return;
        awaitingLimits = false;
        flush();
      });
  };

  /** Publishes nsqd never read go out again on the next ready connection, in their order. */
  const sendAgain = (items: readonly Pending[]): void => {
    for (const item of items) {
      if (item.state !== 'sent') continue;
      item.state = 'queued';
      resend.push(item);
    }
  };

  /**
   * A command sent on `w` failed. After nsqd refused one command it reads no
   * other from that connection, so the commands behind it go again. The
   * refused one fails, except when nsqd refused it for its size: then only a
   * message over nsqd's limit fails, and the others go again too.
   */
  const failed = (w: nsq.Writer, topic: string, batch: readonly Pending[], error: Error): void => {
    if (refusedOn.has(w)) {
      sendAgain(batch);
      return;
    }
    const reason = describeError(error);
    if (!isNsqdError(reason)) {
      const failure = toPublishError(topic, error);
      for (const item of batch) settle(item, failure);
      return;
    }
    refusedOn.add(w);
    counters.refused += 1;
    log.warn('nsq publisher: nsqd refused a command', { topic, messages: batch.length, reason });
    if (!isSizeRefusal(reason)) {
      const failure = toPublishError(topic, error);
      for (const item of batch) settle(item, failure);
      return;
    }
    const named = parseSizeRefusal(reason);
    const learned = named !== undefined && applyLimits({ [named.limit]: named.max }, 'refusal');
    const plan = planAfterRefusal(batch, bodySize, limits.maxMessageBytes, learned);
    for (const item of plan.tooLarge) {
      settle(item, new PayloadTooLargeError(item.body.length, limits.maxMessageBytes, { cause: error }));
    }
    if (plan.refused.length > 0) {
      const failure = toPublishError(topic, error);
      for (const item of plan.refused) settle(item, failure);
    }
    for (const item of plan.resend) {
      item.refusals += 1;
      // refused twice in a batch: whatever nsqd said did not help, so each goes alone
      item.alone ||= plan.alone || item.refusals > 1;
    }
    sendAgain(plan.resend);
  };

  const sendBatch = (w: nsq.Writer, topic: string, batch: readonly Pending[]): void => {
    const now = scheduler.now();
    for (const item of batch) {
      item.state = 'sent';
      item.sentAt = now;
    }
    counters.commands += 1;
    if (batch.length > 1) counters.batches += 1;
    const acknowledge = (error?: Error | null): void => {
      if (error) failed(w, topic, batch, error);
      else for (const item of batch) settle(item);
    };
    try {
      const bodies = batch.map((item) => item.body);
      // the large bodies are written as they are, beside the command's other bytes: no copy of them
      const pieces = bodies.length === 1 ? encodePub(topic, bodies[0] as Buffer) : encodeMpub(topic, bodies);
      // nsqjs's own encoding is the fallback when its internals are not the expected ones
      if (!writeCommand(w, pieces, acknowledge)) w.publish(topic, bodies, acknowledge);
    } catch (error) {
      acknowledge(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const sendDeferred = (w: nsq.Writer, item: Pending, delayMs: number): void => {
    item.state = 'sent';
    item.sentAt = scheduler.now();
    counters.commands += 1;
    const acknowledge = (error?: Error | null): void => {
      if (error) failed(w, item.topic, [item], error);
      else settle(item);
    };
    try {
      // nsqjs sends DPUB's message as is: it must already be `[Buffer]`
      w.deferPublish(item.topic, [item.body], delayMs, acknowledge);
    } catch (error) {
      acknowledge(error instanceof Error ? error : new Error(String(error)));
    }
  };

  const flush = (): void => {
    flushScheduled = false;
    tickGroup = undefined;
    const w = writer;
    if (!w || !ready || awaitingLimits || (queue.length === 0 && resend.length === 0)) return;
    const items = resend.length === 0 ? queue : resend.concat(queue);
    queue = [];
    resend = [];
    // the commands of one flush leave in one write, at once: no tick waits for an uncork
    const out = writerConnection(w)?.outWriter;
    const corked =
      out && typeof out.cork === 'function' && !out.destroyed && !out.writableEnded ? out : undefined;
    corked?.cork();
    try {
      sendAll(w, items);
    } finally {
      if (corked && !corked.writableEnded) corked.uncork();
    }
  };

  const sendAll = (w: nsq.Writer, items: readonly Pending[]): void => {
    const byTopic = new Map<string, Pending[]>();
    const { maxMessageBytes, maxBodyBytes } = limits;
    for (const item of items) {
      if (item.state !== 'queued') continue;
      // queued before nsqd's limit was known
      if (item.body.length > maxMessageBytes) {
        settle(item, new PayloadTooLargeError(item.body.length, maxMessageBytes));
        continue;
      }
      if (item.deferMs !== undefined) {
        sendDeferred(w, item, item.deferMs);
        continue;
      }
      if (item.alone) {
        sendBatch(w, item.topic, [item]);
        continue;
      }
      const list = byTopic.get(item.topic);
      if (list) list.push(item);
      else byTopic.set(item.topic, [item]);
    }
    for (const [topic, list] of byTopic) {
      for (const batch of splitIntoBatches(list, bodySize, maxBodyBytes)) {
        sendBatch(w, topic, batch);
      }
    }
  };

  const scheduleFlush = (): void => {
    if (flushScheduled) return;
    flushScheduled = true;
    // once the turn's I/O callbacks ran, not within the one that published: a request answered while the reply
    // connection is read sends the next one, which on the next tick went out and was answered within the same
    // read loop, while nsqd's OKs waited unread. At 25 k req/s, 10,000 publishes awaited an OK and the next was
    // refused (spec/integration/request-load.spec.ts). Waiting only while many OKs were owed still let the
    // backlog pass 2,000 in one read loop.
    setImmediate(flush);
  };

  const scheduleReconnect = (): void => {
    if (closed || reconnectTimer) return;
    const delay = reconnectDelay(attempt, settings.reconnect);
    attempt += 1;
    log.debug('nsq publisher: reconnecting', { delayMs: delay, attempt });
    reconnectTimer = timer(delay, scheduler).subscribe(() => {
      reconnectTimer = undefined;
      counters.reconnects += 1;
      let next: nsq.Writer;
      try {
        next = newWriter();
      } catch (error) {
        // cannot happen with options that built the first Writer; never let a timer throw
        lastConnectionError = error instanceof Error ? error : new Error(String(error));
        log.error('nsq publisher: cannot create a connection', { error: String(error) });
        scheduleReconnect();
        return;
      }
      connect(next);
    });
  };

  const connect = (w: nsq.Writer): void => {
    if (closed) return;
    writer = w;
    ready = false;
    if (requireTls) onWriterConnection(w, (conn) => guardTlsConnection(conn));
    // beside the dial, not after it: nsqd may have restarted with other limits
    readLimits();
    // every emitter gets an error listener, kept for the writer's whole life
    w.on('error', (error: Error) => {
      const wasReady = w === writer && ready;
      if (w === writer) {
        ready = false;
        // a superseded writer's late errors say nothing about the current attempt
        lastConnectionError = error;
      }
      // a failed dial reports twice and is retried: only a lost connection is worth a warning
      if (wasReady) log.warn('nsq publisher: connection error', { error: error.message });
      else log.debug('nsq publisher: connection error', { error: error.message });
    });
    w.on('ready', () => {
      if (w !== writer || closed) return;
      connectTimer?.unsubscribe();
      connectTimer = undefined;
      if (requireTls && !writerUsesTls(w)) {
        lastConnectionError = new Error('TLS was requested but nsqd did not negotiate it');
        log.error(
          'nsq publisher: TLS was requested but nsqd did not negotiate it; refusing a plaintext connection',
        );
        closeWriter(w);
        return;
      }
      ready = true;
      attempt = 0;
      lastConnectionError = undefined;
      log.info('nsq publisher: connected');
      status.next('ready');
      flush();
    });
    w.on('closed', () => {
      if (w !== writer) return;
      writer = undefined;
      ready = false;
      connectTimer?.unsubscribe();
      connectTimer = undefined;
      if (closed) return;
      log.warn('nsq publisher: connection closed');
      status.next('reconnecting');
      scheduleReconnect();
    });
    connectTimer?.unsubscribe();
    connectTimer = timer(settings.connectTimeoutMs, scheduler).subscribe(() => {
      connectTimer = undefined;
      if (w !== writer || ready) return;
      lastConnectionError = new TimeoutError(`connect to nsqd ${options.nsqd}`, settings.connectTimeoutMs);
      log.warn('nsq publisher: connect timed out', { timeoutMs: settings.connectTimeoutMs });
      closeWriter(w);
    });
    try {
      w.connect();
    } catch (error) {
      lastConnectionError = error instanceof Error ? error : new Error(String(error));
      log.error('nsq publisher: connect failed', { error: lastConnectionError.message });
      writer = undefined;
      status.next('reconnecting');
      scheduleReconnect();
    }
  };

  const enqueue = (
    topic: string,
    body: Uint8Array | string,
    deferMs: number | undefined,
    handOver: boolean,
  ): Promise<void> => {
    if (closing) return Promise.reject(new TransportClosedError('publish'));
    const name = validateTopic(topic);
    if (isLeft(name)) return Promise.reject(name.left);
    if (typeof body !== 'string' && !(body instanceof Uint8Array)) {
      return Promise.reject(new BadRequestError('message body must be a string or a Uint8Array'));
    }
    const bytes = toBody(body, handOver);
    if (bytes.length === 0) return Promise.reject(new EmptyMessageError());
    if (bytes.length > limits.maxMessageBytes) {
      return Promise.reject(new PayloadTooLargeError(bytes.length, limits.maxMessageBytes));
    }
    if (outstanding >= settings.maxQueued)
      return Promise.reject(new PublishQueueFullError(topic, settings.maxQueued));
    return new Promise<void>((resolve, reject) => {
      const group = currentGroup();
      const item: Pending = {
        topic,
        body: bytes,
        deferMs,
        state: 'queued',
        sentAt: 0,
        refusals: 0,
        alone: false,
        group,
        resolve,
        reject,
      };
      group.items.push(item);
      group.remaining += 1;
      queue.push(item);
      outstanding += 1;
      scheduleFlush();
    });
  };

  const close = (): Promise<void> => {
    closing ??= (async () => {
      if (queue.length > 0 || resend.length > 0) flush();
      if (outstanding > 0) await firstValueFrom(drained);
      closed = true;
      reconnectTimer?.unsubscribe();
      reconnectTimer = undefined;
      connectTimer?.unsubscribe();
      connectTimer = undefined;
      const w = writer;
      writer = undefined;
      ready = false;
      if (w) closeWriter(w);
      status.next('closed');
      status.complete();
      drained.complete();
      log.info('nsq publisher: closed');
    })();
    return closing;
  };

  connect(newWriter());

  return {
    publish: (topic, body, publishOptions) =>
      enqueue(topic, body, undefined, publishOptions?.handOver === true),
    publishDeferred: (topic, body, delayMs, publishOptions) => {
      if (!(Number.isInteger(delayMs) && delayMs >= 1 && delayMs <= settings.maxDeferMs)) {
        return Promise.reject(
          new BadRequestError(
            `deferred publish delay must be an integer from 1 to ${settings.maxDeferMs} ms, got ${delayMs}`,
          ),
        );
      }
      return enqueue(topic, body, delayMs, publishOptions?.handOver === true);
    },
    status$: defer(() => (closed ? of<NsqConnectionStatus>('closed') : status.pipe(distinctUntilChanged()))),
    stats: () => ({ ...counters, outstanding }),
    limits: () => limitsView,
    close,
  };
};
