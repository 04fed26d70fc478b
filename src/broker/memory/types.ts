import type { SchedulerLike } from 'rxjs';
import type { Broker } from '../types.js';

/** Options of {@link memoryBroker}; every bound has an nsqd-like default. */
export interface MemoryBrokerOptions {
  /**
   * Time source of every delay: dispatch to consumers, deferred publishes,
   * requeue delays and in-flight timeouts. Default `asyncScheduler`; pass a
   * `TestScheduler` (or use `asyncScheduler` inside `TestScheduler.run`) to run
   * the whole broker in virtual time. Must be asynchronous (not `queueScheduler`).
   */
  readonly scheduler?: SchedulerLike;
  /** Largest message body accepted, in bytes. Default 1 MiB (nsqd `--max-msg-size`). */
  readonly maxMessageBytes?: number;
  /**
   * Most messages a topic holds while it has no channel. Default 10,000 (nsqd
   * `--mem-queue-size`). Beyond it a publish fails with `QueueFullError`, or is
   * dropped (and counted) on a `#ephemeral` topic.
   */
  readonly maxQueuedPerTopic?: number;
  /**
   * Most messages a channel holds: queued, deferred and in flight together.
   * Default 10,000 (nsqd `--mem-queue-size`). Beyond it a publish fails with
   * `QueueFullError` (nothing is delivered to any channel), or, for a
   * `#ephemeral` channel, that channel's copy is dropped and counted.
   */
  readonly maxQueuedPerChannel?: number;
  /** Most deferred publishes a topic holds before they come due. Default 10,000. */
  readonly maxDeferredPerTopic?: number;
  /** In-flight timeout of a consumer that does not set its own. Default 60 s (nsqd `--msg-timeout`). */
  readonly msgTimeoutMs?: number;
  /**
   * Longest in-flight timeout a consumer may ask for, and the cap on how long
   * `touch()` can keep one delivery in flight. Default 15 min (nsqd `--max-msg-timeout`).
   */
  readonly maxMsgTimeoutMs?: number;
}

/** Counters of one channel, like the channel part of nsqd's `/stats`. */
export interface MemoryChannelStats {
  readonly name: string;
  readonly ephemeral: boolean;
  /** Messages waiting to be delivered. */
  readonly depth: number;
  /** Deliveries not yet finished, requeued or timed out. */
  readonly inFlight: number;
  /** Requeued messages waiting for their delay. */
  readonly deferred: number;
  /** Consumers subscribed now. */
  readonly consumers: number;
  /** Messages that entered the channel. */
  readonly messageCount: number;
  /** Deliveries finished. */
  readonly finished: number;
  /** Deliveries requeued: by `requeue()`, or given back by a consumer that left. */
  readonly requeued: number;
  /** Deliveries that reached their in-flight timeout. */
  readonly timedOut: number;
  /** Messages dropped because this ephemeral channel was full. */
  readonly dropped: number;
}

/** Counters of one topic, like the topic part of nsqd's `/stats`. */
export interface MemoryTopicStats {
  readonly name: string;
  readonly ephemeral: boolean;
  /** Messages waiting at topic level for the first channel. */
  readonly depth: number;
  /** Deferred publishes not yet due. */
  readonly deferred: number;
  /** Messages that entered the topic (deferred ones when they came due). */
  readonly messageCount: number;
  /** Messages dropped because this ephemeral topic was full while it had no channel. */
  readonly dropped: number;
  /** Its channels, by name. */
  readonly channels: readonly MemoryChannelStats[];
}

/** A snapshot of a memory broker, for tests and introspection. */
export interface MemoryBrokerStats {
  /** True once `close()` was called. */
  readonly closed: boolean;
  /** Topics that exist now, by name. */
  readonly topics: readonly MemoryTopicStats[];
  /** Ephemeral topics deleted (their last channel was deleted). */
  readonly topicsDeleted: number;
  /** Ephemeral channels deleted (their last consumer left). */
  readonly channelsDeleted: number;
  /** Messages thrown away with deleted ephemeral channels and topics (queued, deferred or in flight). */
  readonly discarded: number;
}

/** A {@link Broker} in process, with a {@link MemoryBrokerStats} snapshot. */
export interface MemoryBroker extends Broker {
  /** Current topics, channels and counters. */
  stats(): MemoryBrokerStats;
}
