/**
 * One channel of the memory broker: its queue, its deferred requeues, its
 * deliveries in flight and its consumers. Every delivery goes out from an
 * action on the scheduler, never from inside a publish or an acknowledgement.
 *
 * @internal
 * @packageDocumentation
 */
import type { SchedulerLike, Subscriber, Subscription } from 'rxjs';
import { MAX_DEFER_MS } from '../../constant/limits.js';
import type { BrokerDelivery } from '../types.js';
import { isEphemeral } from '../names.js';
import { Fifo } from './fifo.js';
import type { MemoryChannelStats } from './types.js';

/** What every channel shares with its broker. */
export interface Engine {
  readonly scheduler: SchedulerLike;
  readonly maxQueuedPerChannel: number;
  readonly maxMsgTimeoutMs: number;
}

/** A message as one channel holds it: the body is never handed out, only copies of it. */
export interface Stored {
  readonly id: string;
  readonly body: Uint8Array;
  readonly timestamp: number;
  /** Deliveries so far. */
  attempts: number;
}

/** One subscriber of a channel. */
export interface Consumer {
  readonly subscriber: Subscriber<BrokerDelivery>;
  readonly maxInFlight: number;
  readonly msgTimeoutMs: number;
  readonly inFlight: Set<InFlight>;
  /** A paused consumer gets no dispatch; what it has in flight stays its own. */
  paused: boolean;
}

type InFlightState = 'pending' | 'finished' | 'requeued' | 'timedOut' | 'returned' | 'discarded';

interface InFlight {
  readonly message: Stored;
  readonly consumer: Consumer;
  readonly deliveredAt: number;
  timer: Subscription | undefined;
  state: InFlightState;
}

const requeueDelay = (delayMs: unknown): number =>
  typeof delayMs === 'number' && Number.isFinite(delayMs)
    ? Math.min(MAX_DEFER_MS, Math.max(0, Math.round(delayMs)))
    : 0;

/** A channel's messages and consumers; deleted (disposed) with its topic or, if ephemeral, its last consumer. */
export class Channel {
  readonly ephemeral: boolean;
  private readonly ready = new Fifo<Stored>();
  private readonly deferred = new Map<Stored, Subscription>();
  private readonly inFlight = new Set<InFlight>();
  private consumers: Consumer[] = [];
  private cursor = 0;
  private dispatchTask: Subscription | undefined;
  private dispatching = false;
  private disposed = false;
  private messageCount = 0;
  private finished = 0;
  private requeued = 0;
  private timedOut = 0;
  private dropped = 0;

  constructor(
    readonly topic: string,
    readonly name: string,
    private readonly engine: Engine,
  ) {
    this.ephemeral = isEphemeral(name);
  }

  /** Messages the channel holds: queued, deferred and in flight. */
  get held(): number {
    return this.ready.length + this.deferred.size + this.inFlight.size;
  }

  get isFull(): boolean {
    return this.held >= this.engine.maxQueuedPerChannel;
  }

  get consumerCount(): number {
    return this.consumers.length;
  }

  /**
   * Takes a new message. The caller refused the publish already if this channel
   * is non-ephemeral and full (or chose to exceed the bound); an ephemeral
   * channel drops what does not fit, as nsqd does.
   */
  offer(message: Stored): void {
    if (this.disposed) return;
    if (this.ephemeral && this.isFull) {
      this.dropped += 1;
      return;
    }
    this.messageCount += 1;
    this.ready.push(message);
    this.scheduleDispatch();
  }

  addConsumer(consumer: Consumer): void {
    this.consumers.push(consumer);
    this.scheduleDispatch();
  }

  /** Pauses or resumes a consumer; on resume it takes part in the next dispatch. */
  setPaused(consumer: Consumer, paused: boolean): void {
    if (consumer.paused === paused) return;
    consumer.paused = paused;
    if (!paused) this.scheduleDispatch();
  }

  /**
   * Removes a consumer and puts its unacknowledged deliveries back at the end
   * of the queue at once (nsqd waits for their timeout instead).
   */
  removeConsumer(consumer: Consumer): void {
    const index = this.consumers.indexOf(consumer);
    if (index < 0) return;
    this.consumers.splice(index, 1);
    if (this.cursor > index) this.cursor -= 1;
    if (this.cursor >= this.consumers.length) this.cursor = 0;
    for (const entry of [...consumer.inFlight]) {
      this.settle(entry, 'returned');
      this.requeued += 1;
      this.ready.push(entry.message);
    }
    this.scheduleDispatch();
  }

  /**
   * Cancels every timer and forgets every message; later acknowledgements of
   * its deliveries return false. Returns how many messages were thrown away and
   * the consumers that were still subscribed.
   */
  dispose(): { readonly discarded: number; readonly consumers: readonly Consumer[] } {
    const discarded = this.held;
    this.disposed = true;
    this.dispatchTask?.unsubscribe();
    this.dispatchTask = undefined;
    for (const entry of [...this.inFlight]) this.settle(entry, 'discarded');
    for (const task of this.deferred.values()) task.unsubscribe();
    this.deferred.clear();
    this.ready.clear();
    const consumers = this.consumers;
    this.consumers = [];
    return { discarded, consumers };
  }

  stats(): MemoryChannelStats {
    return {
      name: this.name,
      ephemeral: this.ephemeral,
      depth: this.ready.length,
      inFlight: this.inFlight.size,
      deferred: this.deferred.size,
      consumers: this.consumers.length,
      messageCount: this.messageCount,
      finished: this.finished,
      requeued: this.requeued,
      timedOut: this.timedOut,
      dropped: this.dropped,
    };
  }

  private scheduleDispatch(): void {
    // while dispatching, the running loop sees every change itself
    if (this.disposed || this.dispatching || this.dispatchTask) return;
    if (this.ready.length === 0 || this.consumers.length === 0) return;
    this.dispatchTask = this.engine.scheduler.schedule(() => {
      this.dispatchTask = undefined;
      this.dispatch();
    }, 0);
  }

  private dispatch(): void {
    // a consumer may finish, requeue or unsubscribe (and so delete this channel)
    // from inside next(): every turn re-reads the state
    this.dispatching = true;
    try {
      while (!this.disposed && this.ready.length > 0) {
        const consumer = this.nextConsumer();
        if (!consumer) return;
        const message = this.ready.shift();
        if (!message) return;
        this.deliver(consumer, message);
      }
    } finally {
      this.dispatching = false;
    }
  }

  /** Round robin among the unpaused consumers with a free in-flight slot. */
  private nextConsumer(): Consumer | undefined {
    const count = this.consumers.length;
    for (let i = 0; i < count; i += 1) {
      const index = (this.cursor + i) % count;
      const consumer = this.consumers[index];
      if (
        consumer &&
        !consumer.paused &&
        consumer.inFlight.size < consumer.maxInFlight &&
        !consumer.subscriber.closed
      ) {
        this.cursor = (index + 1) % count;
        return consumer;
      }
    }
    return undefined;
  }

  private deliver(consumer: Consumer, message: Stored): void {
    message.attempts += 1;
    const entry: InFlight = {
      message,
      consumer,
      deliveredAt: this.engine.scheduler.now(),
      timer: undefined,
      state: 'pending',
    };
    entry.timer = this.engine.scheduler.schedule(() => this.timeout(entry), consumer.msgTimeoutMs);
    this.inFlight.add(entry);
    consumer.inFlight.add(entry);
    const delivery: BrokerDelivery = Object.freeze({
      id: message.id,
      topic: this.topic,
      channel: this.name,
      attempts: message.attempts,
      timestamp: message.timestamp,
      // a copy per delivery: no consumer can change what another one (or a redelivery) reads
      body: new Uint8Array(message.body),
      exclusiveBody: true,
      timeoutMs: consumer.msgTimeoutMs,
      maxTimeoutMs: this.engine.maxMsgTimeoutMs,
      finish: () => this.finish(entry),
      requeue: (delayMs?: number) => this.requeue(entry, delayMs),
      touch: () => this.touch(entry),
    });
    consumer.subscriber.next(delivery);
  }

  /** Takes a delivery out of flight; its consumer gets the slot back. */
  private settle(entry: InFlight, state: InFlightState): void {
    entry.state = state;
    entry.timer?.unsubscribe();
    entry.timer = undefined;
    this.inFlight.delete(entry);
    entry.consumer.inFlight.delete(entry);
  }

  private finish(entry: InFlight): boolean {
    if (entry.state !== 'pending') return false;
    this.settle(entry, 'finished');
    this.finished += 1;
    this.scheduleDispatch();
    return true;
  }

  private requeue(entry: InFlight, delayMs: unknown): boolean {
    if (entry.state !== 'pending') return false;
    this.settle(entry, 'requeued');
    this.requeued += 1;
    const delay = requeueDelay(delayMs);
    if (delay === 0) {
      this.ready.push(entry.message);
    } else {
      const { message } = entry;
      this.deferred.set(
        message,
        this.engine.scheduler.schedule(() => {
          this.deferred.delete(message);
          this.ready.push(message);
          this.scheduleDispatch();
        }, delay),
      );
    }
    this.scheduleDispatch();
    return true;
  }

  private touch(entry: InFlight): boolean {
    if (entry.state !== 'pending') return false;
    const { scheduler, maxMsgTimeoutMs } = this.engine;
    const now = scheduler.now();
    const deadline = Math.min(now + entry.consumer.msgTimeoutMs, entry.deliveredAt + maxMsgTimeoutMs);
    entry.timer?.unsubscribe();
    entry.timer = scheduler.schedule(() => this.timeout(entry), Math.max(0, deadline - now));
    return true;
  }

  private timeout(entry: InFlight): void {
    if (entry.state !== 'pending') return;
    this.settle(entry, 'timedOut');
    this.timedOut += 1;
    this.ready.push(entry.message);
    this.scheduleDispatch();
  }
}
