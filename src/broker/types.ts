/**
 * The raw layer under every rxmini transport: topics, channels and bytes, with
 * NSQ's semantics. `memoryBroker()` implements it in process on an RxJS
 * scheduler; `nsqBroker()` implements it over nsqd. The message-level transport
 * (codec, request/response, retries, dead letters, middleware, prefix
 * subscriptions) is written once on top of this interface, so both transports
 * behave the same.
 *
 * Everything here is Observable-based so that the memory broker runs in virtual
 * time under `TestScheduler.run`.
 *
 * @packageDocumentation
 */
import type { Observable } from 'rxjs';

/** One message handed to one consumer of one channel. */
export interface BrokerDelivery {
  /** Broker-assigned message id (16 characters on NSQ). */
  readonly id: string;
  /** Topic it was published to. */
  readonly topic: string;
  /** Channel it was received on. */
  readonly channel: string;
  /** Delivery attempt, counted by the broker; 1 on the first delivery. */
  readonly attempts: number;
  /** When the broker received the message, in ms since the epoch (scheduler time for the memory broker). */
  readonly timestamp: number;
  /** The message bytes. */
  readonly body: Uint8Array;
  /**
   * True when `body` is memory of this delivery alone: allocated for it,
   * shared with no other delivery or buffer of the broker's, and never written
   * by the broker again. A consumer may then keep views of it instead of
   * copying what it keeps. Absent or false: `body` may share memory (a socket
   * read holding other messages too), so what is kept is copied.
   */
  readonly exclusiveBody?: boolean;
  /**
   * The broker's in-flight timeout for this delivery in ms, when it knows it
   * (nsqd tells each connection its own): an untouched delivery is redelivered after it.
   */
  readonly timeoutMs?: number;
  /** How long after delivery touching stops helping (nsqd `--max-msg-timeout`), when the broker knows it. */
  readonly maxTimeoutMs?: number;
  /** Acknowledges (FIN). The first of finish/requeue wins; later calls return false. */
  finish(): boolean;
  /** Gives the message back to be delivered again after `delayMs` (default 0); attempts go up by one. */
  requeue(delayMs?: number): boolean;
  /** Resets the broker's in-flight timeout for this message. */
  touch(): boolean;
}

/** What to consume and how. */
export interface BrokerConsumeOptions {
  /** Topic name (`^[.a-zA-Z0-9_-]+(#ephemeral)?$`, 1–64 characters). */
  readonly topic: string;
  /**
   * Channel name (same rule). Consumers of one channel share its messages
   * (load-balanced); every channel gets a copy of each message. A `#ephemeral`
   * channel disappears, with its queued messages, when its last consumer leaves.
   */
  readonly channel: string;
  /** Most deliveries in flight (not yet finished or requeued) for this consumer. Default 1. */
  readonly maxInFlight?: number;
  /** Ask the broker to deliver without output buffering (request/reply paths). */
  readonly lowLatency?: boolean;
  /** In-flight timeout in ms after which an unacknowledged delivery is redelivered. Broker default: 60 s. */
  readonly msgTimeoutMs?: number;
  /**
   * While the latest value is `true`, the consumer takes no new messages at the
   * broker (NSQ: `RDY 0`; memory broker: no dispatch to it), so they stay
   * queued for the other consumers of the channel; `false` resumes. Deliveries
   * already in flight can still be finished, requeued and touched. A delivery
   * the broker had already sent when the pause took effect may still arrive.
   * Not given, or before its first value: not paused. Its completion keeps the
   * last state.
   *
   * @example
   * ```ts
   * import { BehaviorSubject } from 'rxjs';
   * import { memoryBroker } from 'rxmini';
   * const broker = memoryBroker();
   * const draining$ = new BehaviorSubject(false);
   * broker.consume({ topic: 'orders', channel: 'billing', paused$: draining$ }).subscribe((d) => d.finish());
   * draining$.next(true); // stop taking messages, finish the ones in hand
   * ```
   */
  readonly paused$?: Observable<boolean>;
  /**
   * Called once, when the consumer is registered at the broker: from then on a
   * message published to the topic reaches this consumer's channel. The memory
   * broker calls it synchronously on subscribe; over NSQ it is called once the
   * consumer's `SUB` succeeded on every nsqd it was given directly (or, with
   * lookupd only, on the first nsqd it found). Never called when the consumer
   * fails or is unsubscribed before that.
   *
   * @example
   * ```ts
   * import { memoryBroker } from 'rxmini';
   * const broker = memoryBroker();
   * const body = new TextEncoder().encode('hi');
   * broker
   *   .consume({ topic: 'orders', channel: 'billing', onReady: () => broker.publish('orders', body).subscribe() })
   *   .subscribe((d) => d.finish()); // gets 'hi': it was published once 'billing' was registered
   * ```
   */
  readonly onReady?: () => void;
}

/**
 * How a body is handed to {@link Broker.publish} and {@link Broker.publishDeferred}.
 *
 * @example
 * ```ts
 * import { memoryBroker, type BrokerPublishOptions } from 'rxmini';
 * const broker = memoryBroker();
 * const handOver: BrokerPublishOptions = { handOver: true };
 * // the bytes are made for this publish and nobody touches them afterwards
 * broker.publish('orders', new TextEncoder().encode('hello'), handOver).subscribe();
 * ```
 */
export interface BrokerPublishOptions {
  /**
   * The caller gives the body up with the publish: neither it nor anyone else
   * writes to that memory again, so the broker may keep it until the publish
   * settles and send it as it is, instead of copying it. Default false: the
   * broker copies what it keeps, and the caller may reuse its bytes as soon as
   * the publish is subscribed. A broker may ignore it and copy anyway (the
   * memory broker does: each delivery gets its own copy).
   */
  readonly handOver?: boolean;
}

/** Connection state of a broker. */
export type BrokerStatus = 'connecting' | 'ready' | 'reconnecting' | 'closed';

/** The raw topic/channel/bytes layer a transport runs on. */
export interface Broker {
  /**
   * Publishes one message; cold: the publish happens on subscribe, and the
   * Observable completes (after one `undefined`) when the broker acknowledged it,
   * or errors with a typed error (invalid name, payload too large, closed, timeout).
   * The broker copies `body` unless `options.handOver` gives it up (see {@link BrokerPublishOptions}).
   */
  publish(topic: string, body: Uint8Array, options?: BrokerPublishOptions): Observable<void>;
  /** Like {@link Broker.publish}, delivered to consumers no earlier than `delayMs` from now. */
  publishDeferred(
    topic: string,
    body: Uint8Array,
    delayMs: number,
    options?: BrokerPublishOptions,
  ): Observable<void>;
  /**
   * Consumes a channel of a topic (creating both when missing). Cold: subscribing
   * starts the consumer; unsubscribing stops it (unacknowledged deliveries are
   * redelivered, to another consumer of the channel when there is one).
   */
  consume(options: BrokerConsumeOptions): Observable<BrokerDelivery>;
  /** Names of the topics that exist now (for prefix subscriptions). */
  listTopics(): Observable<readonly string[]>;
  /** Largest message body the broker accepts, in bytes. */
  readonly maxMessageBytes: number;
  /** Connection state; replays the current one. */
  readonly status$: Observable<BrokerStatus>;
  /** Stops taking work, waits (bounded) for in-flight publishes, and closes. Idempotent. */
  close(): Promise<void>;
}
