/**
 * A consumer of one topic/channel as a cold Observable of deliveries.
 *
 * @packageDocumentation
 */
import { useLinearFrames } from './frames.js';
import { EventEmitter } from 'node:events';
import { isLeft, left, right, type Either } from 'fp-ts/lib/Either.js';
import * as nsq from 'nsqjs';
import { Observable, asyncScheduler, timer, type SchedulerLike, type Subscription } from 'rxjs';
import { ConfigError, type RxMiniError } from '../../errors.js';
import { noopLogger } from '../../logger/noopLogger.js';
import type { ILogger } from '../../logger/types.js';
import { validateChannel, validateTopic } from '../names.js';
import { parseHostPort } from './address.js';
import { createAutoToucher } from '../autoTouch.js';
import { reconnectDelay, resolveReconnect, type ReconnectOptions } from './backoff.js';
import {
  guardTlsConnection,
  nsqjsConnectionConfig,
  wantsTls,
  type NsqConnectionOptions,
  type NsqjsConnectionConfig,
} from './connectionOptions.js';
import { corkConnection } from './cork.js';
import {
  createDelivery,
  type AckableMessage,
  type DeliveryHooks,
  type NsqDelivery,
  type TrackedDelivery,
} from './delivery.js';
import {
  batchReaderMessages,
  messageTimeouts,
  onReaderConnection,
  skipNoopRdyBumps,
  useWireMessages,
} from './internals.js';

/** Options of {@link consumeNsq}. */
export interface NsqConsumerOptions extends NsqConnectionOptions {
  /** Topic to consume (validated: `^[.a-zA-Z0-9_-]+(#ephemeral)?$`, 1–64 characters). */
  readonly topic: string;
  /** Channel to consume on (same rule as the topic). */
  readonly channel: string;
  /** nsqd TCP addresses to connect to directly (`host:port`). Lost connections are re-dialled with backoff. */
  readonly nsqd?: readonly string[];
  /** nsqlookupd HTTP addresses (`host:port` or URL) to discover the nsqd that carry the topic. */
  readonly lookupd?: readonly string[];
  /** Most messages in flight (delivered, not acknowledged) across all connections. Default 1. */
  readonly maxInFlight?: number;
  /**
   * Ask nsqd not to buffer its output to this consumer (`output_buffer_size: -1`).
   * Without it nsqd may hold a message up to 250 ms; use it for request/reply.
   */
  readonly lowLatency?: boolean;
  /** nsqd's message timeout for this consumer, in ms (≥ 1000; nsqd caps it at `--max-msg-timeout`). Default: nsqd's (60 s). */
  readonly msgTimeoutMs?: number;
  /** Touch unacknowledged deliveries at about half the message timeout. Default true. */
  readonly autoTouch?: boolean;
  /** How often lookupd is polled for nsqd carrying the topic, in seconds. Default 15. */
  readonly lookupdPollIntervalSec?: number;
  /** Re-dial spacing for lost direct nsqd connections (default {@link DEFAULT_RECONNECT}). */
  readonly reconnect?: Partial<ReconnectOptions>;
  /** Time source for auto-touch and re-dials. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where connection events go. Default: nowhere. */
  readonly logger?: ILogger;
  /**
   * While the latest value is `true` the Reader is paused: `RDY 0` on every
   * connection (also on one that comes back meanwhile), so nsqd sends nothing
   * new and keeps the messages for the channel's other consumers. `false`
   * unpauses (nsqjs starts again at `RDY 1`, then `maxInFlight` after the first
   * finished message). Acknowledgements still go out while paused. A message
   * nsqd sent before the `RDY 0` reached it may still arrive.
   */
  readonly paused$?: Observable<boolean>;
  /**
   * Called once, when nsqd acknowledged the `SUB` on every address of `nsqd`
   * (with only `lookupd`, on the first nsqd found): from then on what is
   * published there reaches the channel. A callback that throws is logged.
   */
  readonly onReady?: () => void;
}

interface Prepared {
  readonly topic: string;
  readonly channel: string;
  readonly direct: ReadonlyMap<string, { readonly host: string; readonly port: number }>;
  readonly config: nsq.ReaderConnectionConfigOptions & NsqjsConnectionConfig;
  readonly reconnect: ReconnectOptions;
}

const isIntIn = (value: number, min: number, max = Number.MAX_SAFE_INTEGER): boolean =>
  Number.isInteger(value) && value >= min && value <= max;

const prepare = (options: NsqConsumerOptions): Either<RxMiniError, Prepared> => {
  const topic = validateTopic(options.topic);
  if (isLeft(topic)) return topic;
  const channel = validateChannel(options.channel);
  if (isLeft(channel)) return channel;
  const nsqd = options.nsqd ?? [];
  const lookupd = options.lookupd ?? [];
  if (nsqd.length === 0 && lookupd.length === 0) {
    return left(new ConfigError('nsq consumer: give at least one nsqd or lookupd address'));
  }
  const direct = new Map<string, { host: string; port: number }>();
  for (const address of nsqd) {
    const parsed = parseHostPort(address);
    if (isLeft(parsed)) return parsed;
    direct.set(`${parsed.right.host}:${parsed.right.port}`, parsed.right);
  }
  const maxInFlight = options.maxInFlight ?? 1;
  const pollSec = options.lookupdPollIntervalSec ?? 15;
  const checks: readonly [boolean, string][] = [
    [isIntIn(maxInFlight, 1), `maxInFlight must be a positive integer, got ${maxInFlight}`],
    [isIntIn(pollSec, 1), `lookupdPollIntervalSec must be a positive integer, got ${pollSec}`],
    [
      options.msgTimeoutMs === undefined || isIntIn(options.msgTimeoutMs, 1000),
      `msgTimeoutMs must be an integer of at least 1000, got ${options.msgTimeoutMs}`,
    ],
    [
      options.heartbeatIntervalSec === undefined || isIntIn(options.heartbeatIntervalSec, 1, 60),
      `heartbeatIntervalSec must be an integer from 1 to 60, got ${options.heartbeatIntervalSec}`,
    ],
  ];
  for (const [ok, message] of checks) if (!ok) return left(new ConfigError(`nsq consumer: ${message}`));
  const reconnect = resolveReconnect(options.reconnect);
  if (isLeft(reconnect)) return reconnect;
  const config: nsq.ReaderConnectionConfigOptions & NsqjsConnectionConfig = {
    ...nsqjsConnectionConfig(options),
    nsqdTCPAddresses: [...nsqd],
    lookupdHTTPAddresses: [...lookupd],
    lookupdPollInterval: pollSec,
    maxInFlight,
    // retries are the caller's policy (REQ with a delay); nsqjs must not auto-finish
    maxAttempts: 0,
    requeueDelay: 0,
  };
  if (options.lowLatency) config.outputBufferSize = -1;
  if (options.msgTimeoutMs !== undefined) config.messageTimeout = options.msgTimeoutMs;
  return right({ topic: topic.right, channel: channel.right, direct, config, reconnect: reconnect.right });
};

/** A connection that stayed up this long resets its re-dial backoff. */
const STABLE_CONNECTION_MS = 1_000;

/** The nsqd address of an nsqjs connection, as `host:port` the way the Reader's events name it. */
const addressOf = (conn: object): string => {
  const { nsqdHost, nsqdPort } = conn as { nsqdHost?: unknown; nsqdPort?: unknown };
  return `${String(nsqdHost)}:${String(nsqdPort)}`;
};

/**
 * Consumes `topic` on `channel`. Cold: each subscription opens its own nsqjs
 * Reader (corked writes, an error listener on every emitter) and
 * unsubscribing closes it.
 *
 * Each {@link NsqDelivery} must be acknowledged with `finish()` or
 * `requeue(delayMs)`; the first one wins, later calls are no-ops returning
 * false. Unacknowledged deliveries are touched before nsqd's message timeout
 * (unless `autoTouch: false`). On unsubscribe the consumer stops taking
 * messages (RDY 0) at once; deliveries still pending are requeued (REQ 0) and
 * the Reader closes on the scheduler's next turn, so acks made right after
 * unsubscribing still go out. `paused$` pauses and resumes the Reader (RDY 0)
 * without closing it; `onReady` says when the `SUB` went through.
 *
 * Errors: `InvalidNameError` for a bad topic or channel, `ConfigError` for bad
 * options — before any connection is made. Connection failures are not errors
 * of the stream: they are logged and the connection is re-dialled.
 *
 * @example
 * ```ts
 * import { consumeNsq } from 'rxmini/nsq';
 * const subscription = consumeNsq({ topic: 'orders', channel: 'billing', nsqd: ['127.0.0.1:4150'], maxInFlight: 100 })
 *   .subscribe(async (delivery) => {
 *     await save(delivery.body);
 *     delivery.finish();
 *   });
 * ```
 * @see {@link createNsqPublisher}
 */
export const consumeNsq = (options: NsqConsumerOptions): Observable<NsqDelivery> =>
  new Observable<NsqDelivery>((subscriber) => {
    const prepared = prepare(options);
    if (isLeft(prepared)) {
      subscriber.error(prepared.left);
      return undefined;
    }
    const { topic, channel, direct, config, reconnect } = prepared.right;
    const scheduler = options.scheduler ?? asyncScheduler;
    const log = (options.logger ?? noopLogger).with('topic', topic).with('channel', channel);
    const autoTouch = options.autoTouch ?? true;

    let reader: nsq.Reader;
    try {
      reader = new nsq.Reader(topic, channel, config);
    } catch (error) {
      subscriber.error(
        new ConfigError(`nsq consumer: ${error instanceof Error ? error.message : String(error)}`, {
          cause: error,
        }),
      );
      return undefined;
    }

    /** Deliveries emitted, not yet acknowledged (touched in time unless `autoTouch: false`). */
    const pending = createAutoToucher<TrackedDelivery>(scheduler, { sweep: autoTouch });
    const redials = new Map<string, Subscription>();
    const failures = new Map<string, number>();
    const connectedAt = new Map<string, number>();
    /** Addresses whose connection nsqd has subscribed (SUB answered OK). */
    const subscribed = new Set<string>();
    let accepting = true;
    let open = true;
    let paused = false;
    let announced = false;

    const hooks: DeliveryHooks = {
      isOpen: () => open,
      onAcknowledged: (delivery) => pending.remove(delivery),
      onTouched: (delivery) => pending.touched(delivery),
    };

    const announceReady = (): void => {
      if (announced || !accepting) return;
      announced = true;
      try {
        options.onReady?.();
      } catch (error) {
        log.error('nsq consumer: onReady threw', { error: String(error) });
      }
    };
    const onSubscribed = (conn: object): void => {
      // runs before nsqjs's RDY logic for this connection (its listener comes later): after every
      // connection was lost nsqjs forgets the pause, and would give this one RDY maxInFlight
      if (paused && accepting && !reader.isPaused()) reader.pause();
      subscribed.add(addressOf(conn));
      if (direct.size === 0 || [...direct.keys()].every((key) => subscribed.has(key))) announceReady();
    };

    // the per-message fast path (each step checks nsqjs's internals and is skipped if they differ)
    const requireTls = wantsTls(options);
    const hooked = onReaderConnection(reader, (conn) => {
      // first, so every write below it (the acks included) goes through the TLS check
      if (requireTls) guardTlsConnection(conn);
      corkConnection(conn);
      useWireMessages(conn);
      useLinearFrames(conn);
      if (conn instanceof EventEmitter) conn.on('ready', () => onSubscribed(conn));
    });
    // without the hook, nsqjs's own signal: the first connection subscribed
    if (!hooked) reader.on('ready', announceReady);
    batchReaderMessages(reader);
    skipNoopRdyBumps(reader);
    reader.on('error', (error: Error) =>
      log.warn('nsq consumer: connection error', { error: error.message }),
    );
    reader.on('nsqd_connected', (host: string, port: number) => {
      connectedAt.set(`${host}:${port}`, scheduler.now());
      log.debug('nsq consumer: connected', { nsqd: `${host}:${port}` });
    });
    reader.on('nsqd_closed', (host: string, port: number) => {
      const key = `${host}:${port}`;
      const since = connectedAt.get(key);
      connectedAt.delete(key);
      subscribed.delete(key);
      if (!accepting) return;
      log.warn('nsq consumer: connection closed', { nsqd: key });
      // addresses found through lookupd are re-found by its poll; direct ones are re-dialled here
      const address = direct.get(key);
      if (!address || redials.has(key)) return;
      const stable = since !== undefined && scheduler.now() - since >= STABLE_CONNECTION_MS;
      const failed = stable ? 0 : (failures.get(key) ?? 0);
      failures.set(key, failed + 1);
      const delay = reconnectDelay(failed, reconnect);
      redials.set(
        key,
        timer(delay, scheduler).subscribe(() => {
          redials.delete(key);
          if (!accepting) return;
          try {
            reader.connectToNSQD(address.host, address.port);
          } catch (error) {
            log.error('nsq consumer: re-dial failed', { nsqd: key, error: String(error) });
          }
        }),
      );
    });
    reader.on('message', (message: AckableMessage) => {
      if (!accepting) {
        // arrived after unsubscribe: hand it straight back to nsqd
        message.requeue(0, false);
        return;
      }
      const { timeoutMs, maxTimeoutMs } = messageTimeouts(message);
      const delivery = createDelivery(message, topic, channel, hooks, {
        timeoutMs,
        maxTimeoutMs,
        receivedAt: scheduler.now(),
      });
      pending.add(delivery);
      subscriber.next(delivery);
    });

    try {
      reader.connect();
    } catch (error) {
      subscriber.error(error);
      return undefined;
    }

    // after connect(): nsqjs makes no first connection while paused
    const pausing = options.paused$?.subscribe({
      next: (value) => {
        paused = value;
        if (!accepting) return;
        try {
          if (value) reader.pause();
          else reader.unpause();
        } catch (error) {
          log.warn('nsq consumer: pause or unpause failed', { error: String(error) });
        }
      },
      error: (error: unknown) => subscriber.error(error),
    });

    return () => {
      pausing?.unsubscribe();
      accepting = false;
      // what is still pending now gets requeued below; the sweep stops here
      const left = pending.entries();
      pending.stop();
      try {
        // RDY 0 first: a message requeued below must not be handed straight back to this consumer
        reader.pause();
      } catch (error) {
        log.warn('nsq consumer: pause failed', { error: String(error) });
      }
      for (const redial of redials.values()) redial.unsubscribe();
      redials.clear();
      scheduler.schedule(() => {
        for (const delivery of left) delivery.requeue(0);
        open = false;
        // after the REQs (acks leave on the next tick; close() also sends any still queued)
        process.nextTick(() => {
          try {
            reader.close();
          } catch (error) {
            log.warn('nsq consumer: close failed', {
              error: error instanceof Error ? error.message : String(error),
            });
          }
        });
      });
    };
  });
