/**
 * The embedded broker: NSQ's topics, channels, in-flight timeouts, requeues and
 * `#ephemeral` names in process, on an RxJS scheduler, so a whole flow runs in
 * virtual time under `TestScheduler.run`. Browser-safe.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { Observable, ReplaySubject, asapScheduler } from 'rxjs';
import {
  BadRequestError,
  ConfigError,
  EmptyMessageError,
  PayloadTooLargeError,
  TransportClosedError,
  type RxMiniError,
} from '../../errors.js';
import {
  DEFAULT_MAX_MESSAGE_BYTES,
  DEFAULT_MAX_MSG_TIMEOUT_MS,
  DEFAULT_MSG_TIMEOUT_MS,
  MAX_DEFER_MS,
} from '../../constant/limits.js';
import type { BrokerConsumeOptions, BrokerDelivery, BrokerStatus } from '../types.js';
import { validateChannel, validateTopic } from '../names.js';
import type { Channel, Consumer } from './channel.js';
import { Topic, type TopicEngine } from './topic.js';
import type { MemoryBroker, MemoryBrokerOptions, MemoryBrokerStats } from './types.js';

export { DEFAULT_MAX_MESSAGE_BYTES };

/** Default bound of every topic and channel queue: 10,000 messages, as nsqd's `--mem-queue-size`. */
export const DEFAULT_MAX_QUEUED = 10_000;

interface Settings extends TopicEngine {
  readonly maxMessageBytes: number;
  readonly msgTimeoutMs: number;
}

const positiveInteger = (name: string, value: number | undefined, fallback: number): number => {
  const n = value ?? fallback;
  if (!(Number.isInteger(n) && n >= 1)) {
    throw new ConfigError(`memory broker: ${name} must be a positive integer, got ${String(value)}`);
  }
  return n;
};

const settingsOf = (options: MemoryBrokerOptions): Settings => {
  const maxMsgTimeoutMs = positiveInteger(
    'maxMsgTimeoutMs',
    options.maxMsgTimeoutMs,
    DEFAULT_MAX_MSG_TIMEOUT_MS,
  );
  const msgTimeoutMs = positiveInteger(
    'msgTimeoutMs',
    options.msgTimeoutMs,
    Math.min(DEFAULT_MSG_TIMEOUT_MS, maxMsgTimeoutMs),
  );
  if (msgTimeoutMs > maxMsgTimeoutMs) {
    throw new ConfigError(
      `memory broker: msgTimeoutMs (${msgTimeoutMs}) must not exceed maxMsgTimeoutMs (${maxMsgTimeoutMs})`,
    );
  }
  return {
    scheduler: options.scheduler ?? asapScheduler,
    maxMessageBytes: positiveInteger('maxMessageBytes', options.maxMessageBytes, DEFAULT_MAX_MESSAGE_BYTES),
    maxQueuedPerTopic: positiveInteger('maxQueuedPerTopic', options.maxQueuedPerTopic, DEFAULT_MAX_QUEUED),
    maxQueuedPerChannel: positiveInteger(
      'maxQueuedPerChannel',
      options.maxQueuedPerChannel,
      DEFAULT_MAX_QUEUED,
    ),
    maxDeferredPerTopic: positiveInteger(
      'maxDeferredPerTopic',
      options.maxDeferredPerTopic,
      DEFAULT_MAX_QUEUED,
    ),
    msgTimeoutMs,
    maxMsgTimeoutMs,
  };
};

const byName = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

class InMemoryBroker implements MemoryBroker {
  private readonly topics = new Map<string, Topic>();
  private readonly status = new ReplaySubject<BrokerStatus>(1);
  private closed = false;
  private sequence = 0;
  private topicsDeleted = 0;
  private channelsDeleted = 0;
  private discarded = 0;

  readonly status$: Observable<BrokerStatus> = this.status.asObservable();

  constructor(private readonly settings: Settings) {
    this.status.next('ready');
  }

  get maxMessageBytes(): number {
    return this.settings.maxMessageBytes;
  }

  publish(topic: string, body: Uint8Array): Observable<void> {
    return this.publication(topic, body, undefined);
  }

  publishDeferred(topic: string, body: Uint8Array, delayMs: number): Observable<void> {
    return this.publication(topic, body, delayMs);
  }

  consume(options: BrokerConsumeOptions): Observable<BrokerDelivery> {
    return new Observable<BrokerDelivery>((subscriber) => {
      if (this.closed) {
        subscriber.error(new TransportClosedError('consume'));
        return undefined;
      }
      const topicName = validateTopic(options?.topic);
      if (isLeft(topicName)) {
        subscriber.error(topicName.left);
        return undefined;
      }
      const channelName = validateChannel(options.channel);
      if (isLeft(channelName)) {
        subscriber.error(channelName.left);
        return undefined;
      }
      const maxInFlight = options.maxInFlight ?? 1;
      if (!(Number.isInteger(maxInFlight) && maxInFlight >= 1)) {
        subscriber.error(
          new ConfigError(`maxInFlight must be a positive integer, got ${String(maxInFlight)}`),
        );
        return undefined;
      }
      const { maxMsgTimeoutMs } = this.settings;
      const msgTimeoutMs = options.msgTimeoutMs ?? this.settings.msgTimeoutMs;
      if (!(Number.isFinite(msgTimeoutMs) && msgTimeoutMs > 0 && msgTimeoutMs <= maxMsgTimeoutMs)) {
        subscriber.error(
          new ConfigError(
            `msgTimeoutMs must be above 0 and at most ${maxMsgTimeoutMs}, got ${String(msgTimeoutMs)}`,
          ),
        );
        return undefined;
      }
      const topic = this.topicFor(topicName.right);
      const channel = topic.channel(channelName.right);
      const consumer: Consumer = {
        subscriber,
        maxInFlight,
        msgTimeoutMs,
        inFlight: new Set(),
        paused: false,
      };
      // before it joins the channel: a consumer that starts paused never gets a dispatch
      const pausing = options.paused$?.subscribe({
        next: (paused) => channel.setPaused(consumer, paused),
        error: (error: unknown) => subscriber.error(error),
      });
      subscriber.add(() => {
        pausing?.unsubscribe();
        this.leave(topic, channel, consumer);
      });
      if (subscriber.closed) return undefined;
      channel.addConsumer(consumer);
      // a callback that throws errors this consumer, which removes it again
      options.onReady?.();
      return undefined;
    });
  }

  listTopics(): Observable<readonly string[]> {
    return new Observable<readonly string[]>((subscriber) => {
      if (this.closed) {
        subscriber.error(new TransportClosedError('list topics'));
        return;
      }
      subscriber.next([...this.topics.keys()].sort(byName));
      subscriber.complete();
    });
  }

  close(): Promise<void> {
    if (!this.closed) {
      this.closed = true;
      const consumers: Consumer[] = [];
      for (const topic of this.topics.values()) consumers.push(...topic.dispose().consumers);
      this.topics.clear();
      this.status.next('closed');
      this.status.complete();
      for (const consumer of consumers) consumer.subscriber.complete();
    }
    return Promise.resolve();
  }

  stats(): MemoryBrokerStats {
    return {
      closed: this.closed,
      topics: [...this.topics.values()].map((topic) => topic.stats()).sort((a, b) => byName(a.name, b.name)),
      topicsDeleted: this.topicsDeleted,
      channelsDeleted: this.channelsDeleted,
      discarded: this.discarded,
    };
  }

  private publication(topic: string, body: Uint8Array, delayMs: number | undefined): Observable<void> {
    return new Observable<void>((subscriber) => {
      const refused = this.accept(topic, body, delayMs);
      if (refused) {
        subscriber.error(refused);
      } else {
        subscriber.next(undefined);
        subscriber.complete();
      }
    });
  }

  /** Takes one publish, or says why not. Nothing is delivered from here: channels dispatch on the scheduler. */
  private accept(topic: unknown, body: unknown, delayMs: number | undefined): RxMiniError | undefined {
    if (this.closed) return new TransportClosedError('publish');
    const name = validateTopic(topic);
    if (isLeft(name)) return name.left;
    if (!(body instanceof Uint8Array)) return new BadRequestError('message body must be a Uint8Array');
    if (body.length === 0) return new EmptyMessageError();
    const { maxMessageBytes, scheduler } = this.settings;
    if (body.length > maxMessageBytes) return new PayloadTooLargeError(body.length, maxMessageBytes);
    if (delayMs !== undefined && !(Number.isInteger(delayMs) && delayMs >= 0 && delayMs <= MAX_DEFER_MS)) {
      return new BadRequestError(
        `deferred publish delay must be an integer from 0 to ${MAX_DEFER_MS} ms, got ${String(delayMs)}`,
      );
    }
    this.sequence += 1;
    const message = {
      id: this.sequence.toString(16).padStart(16, '0'),
      // a copy (never a Buffer view): the caller may reuse its bytes at once
      body: new Uint8Array(body),
      timestamp: scheduler.now(),
    };
    const target = this.topicFor(name.right);
    return delayMs ? target.defer(message, delayMs) : target.put(message);
  }

  private topicFor(name: string): Topic {
    let topic = this.topics.get(name);
    if (!topic) {
      topic = new Topic(name, this.settings);
      this.topics.set(name, topic);
    }
    return topic;
  }

  /** A consumer unsubscribed (or its Observable ended): ephemeral names go with their last user. */
  private leave(topic: Topic, channel: Channel, consumer: Consumer): void {
    if (this.closed) return;
    channel.removeConsumer(consumer);
    if (!channel.ephemeral || channel.consumerCount > 0) return;
    const left = topic.deleteChannel(channel);
    if (!left) return;
    this.channelsDeleted += 1;
    this.discarded += left.discarded;
    if (topic.ephemeral && topic.channelCount === 0 && this.topics.get(topic.name) === topic) {
      this.topics.delete(topic.name);
      this.topicsDeleted += 1;
      this.discarded += topic.dispose().discarded;
    }
  }
}

/**
 * Creates an in-process {@link Broker} with NSQ's semantics, the engine of the
 * embedded default transport.
 *
 * - Topics and channels appear on first publish or consume. Every channel gets
 *   a copy of each message; inside a channel each goes to one consumer, round
 *   robin among those with a free in-flight slot (`maxInFlight`, default 1).
 * - A topic with no channel holds its messages for the first channel; a
 *   channel added later gets only what is published after it exists.
 * - A `#ephemeral` channel goes, with its messages, when its last consumer
 *   leaves; a `#ephemeral` topic goes when its last channel does. Ephemeral
 *   queues drop what overflows their bound (counted in {@link MemoryBroker.stats});
 *   other queues refuse the publish with `QueueFullError`.
 * - `publish` accepts (or refuses) synchronously on subscribe: one `undefined`,
 *   then complete. Deliveries always go out later, from an action on the
 *   scheduler, never from inside `publish`, `finish` or `requeue`.
 * - `requeue(0)`, an in-flight timeout and a leaving consumer put the message at
 *   the back of the queue; `requeue(ms)` (clamped to 0–1 h) after the delay.
 *   Unlike nsqd, which waits for the timeout, a consumer that unsubscribes gives
 *   its unacknowledged deliveries back at once. Each redelivery counts one more
 *   attempt.
 * - `close()` completes every consumer, drops every message (nothing is
 *   persisted), and refuses later work with `TransportClosedError`.
 * - `lowLatency` has no effect: nothing is buffered on the way to a consumer.
 * - A consumer is registered as soon as it subscribes: `onReady` is called
 *   synchronously. While its `paused$` says true it gets nothing; the channel's
 *   messages go to its other consumers, or wait.
 *
 * Under `TestScheduler.run`, close the broker (or unsubscribe) before the run
 * ends: a delivery nobody acknowledges is redelivered every `msgTimeoutMs`
 * forever, so the run's final flush would never end.
 *
 * @param options - Scheduler and bounds; an invalid bound throws a `ConfigError`.
 * @example
 * ```ts
 * import { memoryBroker } from 'rxmini';
 * const broker = memoryBroker();
 * broker.consume({ topic: 'orders', channel: 'billing' }).subscribe((d) => {
 *   new TextDecoder().decode(d.body); // 'hello'
 *   d.finish();
 * });
 * broker.publish('orders', new TextEncoder().encode('hello')).subscribe();
 * ```
 * @see {@link Broker}
 * @see {@link MemoryBrokerOptions}
 */
export const memoryBroker = (options: MemoryBrokerOptions = {}): MemoryBroker =>
  new InMemoryBroker(settingsOf(options));
