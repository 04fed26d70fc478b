/**
 * One message handed to a consumer, with acknowledgements that are guarded:
 * nsqjs writes a second FIN or REQ for the same message (its `hasResponded`
 * flag is only set on the next tick), which nsqd answers with an error and
 * which skews nsqjs's RDY accounting.
 *
 * @packageDocumentation
 */
import {
  DEFAULT_MAX_MSG_TIMEOUT_MS,
  DEFAULT_MSG_TIMEOUT_MS,
  MAX_REQUEUE_DELAY_MS,
} from '../../constant/limits.js';
import type { BrokerDelivery } from '../types.js';
import type { TouchEntry } from '../autoTouch.js';
import { inOwnFrameMemory } from './frames.js';

/**
 * What a delivery needs from the received message: an nsqjs `Message`, or the
 * consumer's lighter `WireMessage` (internals.ts), which has the same shape.
 */
export interface AckableMessage {
  readonly id: string;
  readonly attempts: number;
  readonly timestamp: bigint;
  readonly body: Buffer;
  finish(): void;
  requeue(delay?: number, backoff?: boolean): void;
  touch(): void;
}

/** Where a delivery stands: waiting for an acknowledgement, or which one it got. */
export type NsqDeliveryState = 'pending' | 'finished' | 'requeued';

/**
 * A message received from nsqd, from {@link consumeNsq}: a {@link BrokerDelivery}
 * whose `requeue` delay is 0–1 h (rounded to whole ms) and never puts the
 * consumer into backoff, and whose acknowledgements after the consumer closed
 * do nothing and return false.
 */
export interface NsqDelivery extends BrokerDelivery {
  /** `pending` until `finish` or `requeue` was called. */
  readonly state: NsqDeliveryState;
}

/**
 * A delivery as its consumer sees it: also its own auto-touch entry, so a
 * consumer tracks its pending deliveries without a map or an object per message.
 */
export type TrackedDelivery = NsqDelivery & TouchEntry;

/** What a delivery needs from the consumer that made it (one object shared by all its deliveries). */
export interface DeliveryHooks {
  /** False once the consumer's connections are closed: acks then do nothing. */
  readonly isOpen: () => boolean;
  /** Called once, when the delivery is finished or requeued. */
  readonly onAcknowledged: (delivery: TrackedDelivery) => void;
  /** Called after each successful touch. */
  readonly onTouched: (delivery: TrackedDelivery) => void;
}

/** nsqd's timeouts for a delivery and when it arrived (scheduler time), for auto-touch. */
export interface DeliveryTiming {
  readonly timeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly receivedAt: number;
}

const DEFAULT_TIMING: DeliveryTiming = {
  timeoutMs: DEFAULT_MSG_TIMEOUT_MS,
  maxTimeoutMs: DEFAULT_MAX_MSG_TIMEOUT_MS,
  receivedAt: 0,
};

const toMillis = (nanos: bigint | number): number =>
  typeof nanos === 'bigint' ? Number(nanos / 1_000_000n) : Math.floor(nanos / 1_000_000);

/**
 * A class, not a closure-built object: consumers create one per message, tens of
 * thousands a second, and an object literal with four closures and a getter
 * halved consume throughput. Fields are read from the nsqjs message on first use.
 */
class GuardedDelivery implements TrackedDelivery {
  private current: NsqDeliveryState = 'pending';
  private cachedId: string | undefined;
  private cachedBody: Uint8Array | undefined;
  private cachedTimestamp: number | undefined;
  readonly timeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly receivedAt: number;
  lastTouchedAt: number;
  touchPrev: TouchEntry | undefined = undefined;
  touchNext: TouchEntry | undefined = undefined;
  touchOwner: object | undefined = undefined;

  constructor(
    private readonly message: AckableMessage,
    readonly topic: string,
    readonly channel: string,
    private readonly hooks: DeliveryHooks,
    timing: DeliveryTiming,
  ) {
    this.timeoutMs = timing.timeoutMs;
    this.maxTimeoutMs = timing.maxTimeoutMs;
    this.receivedAt = timing.receivedAt;
    this.lastTouchedAt = timing.receivedAt;
  }

  /** The auto-touch target is the delivery itself. */
  get target(): this {
    return this;
  }

  get id(): string {
    return (this.cachedId ??= this.message.id);
  }

  get attempts(): number {
    return this.message.attempts;
  }

  get timestamp(): number {
    return (this.cachedTimestamp ??= toMillis(this.message.timestamp));
  }

  get body(): Uint8Array {
    return (this.cachedBody ??= this.message.body);
  }

  /** The body lies in memory the consumer's frame buffer allocated for this message alone. */
  get exclusiveBody(): boolean {
    return inOwnFrameMemory(this.body);
  }

  get state(): NsqDeliveryState {
    return this.current;
  }

  finish(): boolean {
    if (this.current !== 'pending' || !this.hooks.isOpen()) return false;
    this.current = 'finished';
    this.message.finish();
    this.hooks.onAcknowledged(this);
    return true;
  }

  requeue(delayMs = 0): boolean {
    if (this.current !== 'pending' || !this.hooks.isOpen()) return false;
    this.current = 'requeued';
    const delay = Number.isFinite(delayMs)
      ? Math.min(MAX_REQUEUE_DELAY_MS, Math.max(0, Math.round(delayMs)))
      : 0;
    // backoff=false: an ordinary retry must not throttle the whole Reader
    this.message.requeue(delay, false);
    this.hooks.onAcknowledged(this);
    return true;
  }

  touch(): boolean {
    if (this.current !== 'pending' || !this.hooks.isOpen()) return false;
    this.message.touch();
    this.hooks.onTouched(this);
    return true;
  }
}

/**
 * Wraps a received message as an {@link NsqDelivery} (a {@link TrackedDelivery}).
 * Its methods must be called on the delivery (`delivery.finish()`), not detached.
 */
export const createDelivery = (
  message: AckableMessage,
  topic: string,
  channel: string,
  hooks: DeliveryHooks,
  timing: DeliveryTiming = DEFAULT_TIMING,
): TrackedDelivery => new GuardedDelivery(message, topic, channel, hooks, timing);
