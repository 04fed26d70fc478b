/**
 * The {@link Broker} over a real nsqd: one reconnecting publisher, a guarded
 * consumer per subscription, and topic discovery through nsqlookupd (the union
 * of every lookupd's answer) or, without lookupd, nsqd's `/stats`.
 *
 * @packageDocumentation
 */
import { Observable, Subject, from, takeUntil } from 'rxjs';
import type { SchedulerLike } from 'rxjs';
import { ConfigError, TopicListingError } from '../../errors.js';
import type { ILogger } from '../../logger/types.js';
import type { Broker, BrokerConsumeOptions, BrokerDelivery } from '../types.js';
import { httpUrl, parseHostPort } from './address.js';
import type { ReconnectOptions } from './backoff.js';
import type { NsqConnectionOptions } from './connectionOptions.js';
import { consumeNsq } from './consumer.js';
import { createNsqPublisher } from './publisher.js';

/** Options of {@link nsqBroker}. */
export interface NsqBrokerOptions extends NsqConnectionOptions {
  /**
   * nsqd TCP addresses (`host:port`). The first one takes this broker's
   * publishes; consumers connect to all of them.
   */
  readonly nsqd: string | readonly string[];
  /**
   * nsqd HTTP addresses, the first one of the first nsqd: topics are listed
   * from their `/stats` without lookupd, and the publisher reads the first
   * nsqd's size limits from its `/config`. Default: each TCP port + 1, a
   * guess: when it is wrong, every listing fails with a `TopicListingError`,
   * and prefix subscriptions error (see `maxListFailures`).
   */
  readonly nsqdHttp?: readonly string[];
  /** nsqlookupd HTTP addresses (`host:port` or URL): consumers discover nsqd through them, and topics are listed from them. */
  readonly lookupd?: readonly string[];
  /** How long a publish may wait for nsqd (connecting, queued, unacknowledged), in ms. Default 5000. */
  readonly publishTimeoutMs?: number;
  /** Most publishes not yet acknowledged. Default 10,000. */
  readonly maxQueued?: number;
  /**
   * Largest message body in bytes. Default: the first nsqd's `--max-msg-size`,
   * read from its HTTP port (`nsqdHttp`) or learned from its first refusal;
   * 1 MiB until then. When set, a lower nsqd limit still applies.
   */
  readonly maxMessageBytes?: number;
  /** Reconnect backoff of the publisher and of direct consumer connections. */
  readonly reconnect?: Partial<ReconnectOptions>;
  /** How often consumers ask lookupd for more nsqd carrying their topic, in seconds. Default 15. */
  readonly lookupdPollIntervalSec?: number;
  /** Time for topic-list and size-limit requests, in ms. Default 2000. */
  readonly httpTimeoutMs?: number;
  /** Time source for timeouts, backoff and auto-touch. Default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where connection events go. Default: nowhere. */
  readonly logger?: ILogger;
}

const fetchJson = async (url: string, timeoutMs: number): Promise<unknown> => {
  const res = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
  if (!res.ok) throw new Error(`GET ${url}: HTTP ${res.status}`);
  return res.json();
};

const stringsAt = (value: unknown, read: (v: Record<string, unknown>) => unknown): string[] => {
  if (typeof value !== 'object' || value === null) return [];
  const list = read(value as Record<string, unknown>);
  return Array.isArray(list) ? list.filter((x): x is string => typeof x === 'string') : [];
};

/** lookupd `/topics` → `{ topics: [...] }`. */
const lookupdTopics = (body: unknown): string[] => stringsAt(body, (v) => v['topics']);

/** nsqd `/stats?format=json` → `{ topics: [{ topic_name }] }`. */
const statsTopics = (body: unknown): string[] =>
  stringsAt(body, (v) =>
    Array.isArray(v['topics'])
      ? (v['topics'] as unknown[]).map((t) =>
          typeof t === 'object' && t !== null ? (t as Record<string, unknown>)['topic_name'] : undefined,
        )
      : [],
  );

/**
 * Lists topics from every source; sources that fail are skipped, and only when
 * all of them fail does the listing fail, with a `TopicListingError` naming
 * them (its cause: the first reason).
 */
const unionOfTopics = async (
  urls: readonly string[],
  parse: (body: unknown) => string[],
  timeoutMs: number,
) => {
  const answers = await Promise.allSettled(urls.map((url) => fetchJson(url, timeoutMs)));
  const ok = answers.filter((a): a is PromiseFulfilledResult<unknown> => a.status === 'fulfilled');
  if (ok.length === 0) {
    const first = answers.find((a): a is PromiseRejectedResult => a.status === 'rejected');
    throw new TopicListingError(urls, { cause: first?.reason });
  }
  return [...new Set(ok.flatMap((a) => parse(a.value)))].sort();
};

/**
 * Cold: starts the publish on subscribe, emits once and completes when it is
 * acknowledged (what `defer(…).pipe(map(…))` does, in one Observable: this runs
 * for every message). A late settlement after unsubscribe goes nowhere.
 */
const acknowledged = (start: () => Promise<void>): Observable<void> =>
  new Observable<void>((subscriber) => {
    let sending: Promise<void>;
    try {
      sending = start();
    } catch (error) {
      subscriber.error(error);
      return;
    }
    sending.then(
      () => {
        subscriber.next();
        subscriber.complete();
      },
      (error: unknown) => subscriber.error(error),
    );
  });

/**
 * A {@link Broker} over nsqd, for `createTransport` (the NSQ transport).
 *
 * @example
 * ```ts
 * import { nsqBroker } from 'rxmini/nsq';
 * const broker = nsqBroker({ nsqd: '127.0.0.1:4150', lookupd: ['127.0.0.1:4161'] });
 * ```
 * @see {@link Broker}
 */
export const nsqBroker = (options: NsqBrokerOptions): Broker => {
  const nsqd = typeof options.nsqd === 'string' ? [options.nsqd] : [...options.nsqd];
  const first = nsqd[0];
  if (first === undefined) throw new ConfigError('nsq broker: give at least one nsqd address');
  const lookupd = options.lookupd ?? [];
  const nsqdHttp =
    options.nsqdHttp ??
    nsqd.map((address) => {
      const parsed = parseHostPort(address);
      if (parsed._tag === 'Left') throw parsed.left;
      return `${parsed.right.host}:${parsed.right.port + 1}`;
    });
  const httpTimeoutMs = options.httpTimeoutMs ?? 2000;
  const connection: NsqConnectionOptions = {
    ...(options.tls === undefined ? {} : { tls: options.tls }),
    ...(options.authSecret === undefined ? {} : { authSecret: options.authSecret }),
    ...(options.heartbeatIntervalSec === undefined
      ? {}
      : { heartbeatIntervalSec: options.heartbeatIntervalSec }),
    ...(options.clientId === undefined ? {} : { clientId: options.clientId }),
  };
  const shared = {
    ...connection,
    ...(options.reconnect === undefined ? {} : { reconnect: options.reconnect }),
    ...(options.scheduler === undefined ? {} : { scheduler: options.scheduler }),
    ...(options.logger === undefined ? {} : { logger: options.logger }),
  };
  const publisher = createNsqPublisher({
    ...shared,
    nsqd: first,
    ...(options.maxMessageBytes === undefined ? {} : { maxMessageBytes: options.maxMessageBytes }),
    ...(nsqdHttp[0] === undefined ? {} : { nsqdHttp: nsqdHttp[0] }),
    httpTimeoutMs,
    ...(options.publishTimeoutMs === undefined ? {} : { publishTimeoutMs: options.publishTimeoutMs }),
    ...(options.maxQueued === undefined ? {} : { maxQueued: options.maxQueued }),
  });
  const closed$ = new Subject<void>();

  const consume = (consumeOptions: BrokerConsumeOptions): Observable<BrokerDelivery> =>
    consumeNsq({
      ...shared,
      topic: consumeOptions.topic,
      channel: consumeOptions.channel,
      nsqd,
      lookupd,
      // the transport touches pending deliveries itself, with the timeouts each delivery carries
      autoTouch: false,
      ...(consumeOptions.maxInFlight === undefined ? {} : { maxInFlight: consumeOptions.maxInFlight }),
      ...(consumeOptions.lowLatency === undefined ? {} : { lowLatency: consumeOptions.lowLatency }),
      ...(consumeOptions.msgTimeoutMs === undefined ? {} : { msgTimeoutMs: consumeOptions.msgTimeoutMs }),
      ...(consumeOptions.paused$ === undefined ? {} : { paused$: consumeOptions.paused$ }),
      ...(consumeOptions.onReady === undefined ? {} : { onReady: consumeOptions.onReady }),
      ...(options.lookupdPollIntervalSec === undefined
        ? {}
        : { lookupdPollIntervalSec: options.lookupdPollIntervalSec }),
    }).pipe(takeUntil(closed$));

  return {
    publish: (topic, body, publishOptions) =>
      acknowledged(() => publisher.publish(topic, body, publishOptions)),
    // DPUB needs a delay of at least 1 ms; a delay of 0 is a plain publish, as in the memory broker
    publishDeferred: (topic, body, delayMs, publishOptions) =>
      acknowledged(() =>
        delayMs === 0
          ? publisher.publish(topic, body, publishOptions)
          : publisher.publishDeferred(topic, body, delayMs, publishOptions),
      ),
    consume,
    listTopics: () =>
      from(
        lookupd.length > 0
          ? unionOfTopics(
              lookupd.map((l) => `${httpUrl(l)}/topics`),
              lookupdTopics,
              httpTimeoutMs,
            )
          : unionOfTopics(
              nsqdHttp.map((n) => `${httpUrl(n)}/stats?format=json&include_clients=false`),
              statsTopics,
              httpTimeoutMs,
            ),
      ),
    // what the transport checks each message against: nsqd's limit once known
    get maxMessageBytes() {
      return publisher.limits().maxMessageBytes;
    },
    status$: publisher.status$,
    close: async () => {
      closed$.next();
      closed$.complete();
      await publisher.close();
    },
  };
};
