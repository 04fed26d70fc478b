/**
 * One topic of the memory broker: copies each message to every channel, holds
 * messages while it has no channel, and holds deferred publishes until due.
 *
 * @internal
 * @packageDocumentation
 */
import type { Subscription } from 'rxjs';
import { isEphemeral } from '../names.js';
import { Channel, type Consumer, type Engine, type Stored } from './channel.js';
import { QueueFullError } from './errors.js';
import { Fifo } from './fifo.js';
import type { MemoryTopicStats } from './types.js';

/** What every topic shares with its broker. */
export interface TopicEngine extends Engine {
  readonly maxQueuedPerTopic: number;
  readonly maxDeferredPerTopic: number;
}

/** A published message before any channel holds it. */
export type Published = Omit<Stored, 'attempts'>;

/** What a deleted channel or topic left behind. */
export interface Disposal {
  readonly discarded: number;
  readonly consumers: readonly Consumer[];
}

/** A topic's channels, its messages waiting for a first channel, and its deferred publishes. */
export class Topic {
  readonly ephemeral: boolean;
  private readonly channels = new Map<string, Channel>();
  private readonly pending = new Fifo<Published>();
  private readonly deferred = new Set<Subscription>();
  private messageCount = 0;
  private dropped = 0;

  constructor(
    readonly name: string,
    private readonly engine: TopicEngine,
  ) {
    this.ephemeral = isEphemeral(name);
  }

  get channelCount(): number {
    return this.channels.size;
  }

  /**
   * Copies a message to every channel, or holds it until the first channel
   * appears. Refuses it (and delivers it nowhere) when a non-ephemeral queue is
   * full, unless `accepted`: a deferred publish coming due was accepted already,
   * so it may take a queue past its bound (by at most `maxDeferredPerTopic`).
   */
  put(message: Published, accepted = false): QueueFullError | undefined {
    const { maxQueuedPerTopic, maxQueuedPerChannel } = this.engine;
    if (this.channels.size === 0) {
      if (this.pending.length >= maxQueuedPerTopic) {
        if (this.ephemeral) {
          this.dropped += 1;
          return undefined;
        }
        if (!accepted) return new QueueFullError(this.name, undefined, 'topic', maxQueuedPerTopic);
      }
      this.messageCount += 1;
      this.pending.push(message);
      return undefined;
    }
    if (!accepted) {
      for (const channel of this.channels.values()) {
        if (!channel.ephemeral && channel.isFull) {
          return new QueueFullError(this.name, channel.name, 'channel', maxQueuedPerChannel);
        }
      }
    }
    this.messageCount += 1;
    for (const channel of this.channels.values()) channel.offer({ ...message, attempts: 0 });
    return undefined;
  }

  /** Holds a message for `delayMs`, then puts it (into the channels that exist then). */
  defer(message: Published, delayMs: number): QueueFullError | undefined {
    const { maxDeferredPerTopic, scheduler } = this.engine;
    if (this.deferred.size >= maxDeferredPerTopic) {
      return new QueueFullError(this.name, undefined, 'deferred', maxDeferredPerTopic);
    }
    const task: Subscription = scheduler.schedule(() => {
      this.deferred.delete(task);
      this.put(message, true);
    }, delayMs);
    // an asynchronous scheduler has not run it yet
    if (!task.closed) this.deferred.add(task);
    return undefined;
  }

  /** The channel named `name`, created when missing; the first one takes the messages held so far. */
  channel(name: string): Channel {
    const existing = this.channels.get(name);
    if (existing) return existing;
    const channel = new Channel(this.name, name, this.engine);
    const first = this.channels.size === 0;
    this.channels.set(name, channel);
    if (first) {
      for (let message = this.pending.shift(); message; message = this.pending.shift()) {
        channel.offer({ ...message, attempts: 0 });
      }
    }
    return channel;
  }

  /** Deletes a channel with its messages; undefined when it was deleted already. */
  deleteChannel(channel: Channel): Disposal | undefined {
    if (this.channels.get(channel.name) !== channel) return undefined;
    this.channels.delete(channel.name);
    return channel.dispose();
  }

  /** Cancels every timer and forgets every message, in every channel. */
  dispose(): Disposal {
    let discarded = this.pending.length + this.deferred.size;
    const consumers: Consumer[] = [];
    for (const task of this.deferred) task.unsubscribe();
    this.deferred.clear();
    this.pending.clear();
    for (const channel of [...this.channels.values()]) {
      const left = this.deleteChannel(channel);
      discarded += left?.discarded ?? 0;
      consumers.push(...(left?.consumers ?? []));
    }
    return { discarded, consumers };
  }

  stats(): MemoryTopicStats {
    return {
      name: this.name,
      ephemeral: this.ephemeral,
      depth: this.pending.length,
      deferred: this.deferred.size,
      messageCount: this.messageCount,
      dropped: this.dropped,
      channels: [...this.channels.values()]
        .map((channel) => channel.stats())
        .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)),
    };
  }
}
