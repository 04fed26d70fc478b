/**
 * A {@link Delivery}: a broker delivery with its decoded message, guarded
 * acknowledgements, the retry policy behind `fail`, and its deadline.
 *
 * @packageDocumentation
 */
import type { Observable, SchedulerLike } from 'rxjs';
import type { Message } from '../codec/message.js';
import { HeaderKey } from '../constant/index.js';
import type { ILogger } from '../logger/types.js';
import type { TouchEntry } from '../broker/autoTouch.js';
import type { BrokerDelivery } from '../broker/types.js';
import { deadLetterOf, deadLetterReason } from './deadLetter.js';
import { composeHandler } from './middleware.js';
import { backoffDelay, shouldRetry } from './retry.js';
import type {
  Delivery,
  DeliveryHandler,
  DeliveryState,
  FailOutcome,
  HandlerWrapper,
  RetryPolicy,
} from './types.js';

/** What a delivery needs from the consumer that made it (one object shared by all its deliveries). */
export interface DeliveryDeps {
  readonly scheduler: SchedulerLike;
  /** The transport's logger; a child with topic and context id is made on first use. */
  readonly logger: ILogger;
  readonly random: () => number;
  readonly policy: RetryPolicy;
  readonly deadLetterTopic: string;
  /**
   * Publishes a dead letter: cold, completes when the broker took it, errors
   * when it did not. (An Observable, not a promise, so that a broker that
   * acknowledges at once — the memory broker — settles the delivery in the same
   * tick, which keeps dead-lettering testable in virtual time.)
   */
  readonly publish: (topic: string, msg: Message) => Observable<void>;
  /** The handler wrappers for a topic (read when `wrapHandler` is called). */
  readonly wrappersFor: (topic: string) => readonly HandlerWrapper[];
  /** Called once per delivery, when it is finished or requeued. */
  readonly onSettled?: (delivery: DeliveryCore, state: Exclude<DeliveryState, 'pending'>) => void;
  /** Called after every successful touch, by the user (`auto` false) or by an auto-toucher (`auto` true). */
  readonly onTouched?: (delivery: DeliveryCore, auto: boolean) => void;
  /** Called when a delivery is dead-lettered (after the publish), or when a dead-letter publish failed. */
  readonly onDeadLetter?: (ok: boolean) => void;
}

/**
 * The budget in the `x-deadline` header, in whole ms, or `undefined` when it is
 * missing or not a non-negative decimal integer.
 *
 * @example
 * ```ts
 * import { deadlineBudget } from 'rxmini';
 * deadlineBudget({ type: 'request', header: { 'x-deadline': '1500' } }); // 1500
 * ```
 */
export const deadlineBudget = (message: Message): number | undefined => {
  const raw = message.header?.[HeaderKey.DEADLINE];
  if (raw === undefined || !/^\d{1,15}$/.test(raw)) return undefined;
  return Number(raw);
};

/** Timeouts of a delivery for auto-touch, in ms. */
export interface DeliveryTimeouts {
  /** The broker's in-flight timeout. */
  readonly timeoutMs: number;
  /** Touching stops this long after the delivery. */
  readonly maxTimeoutMs: number;
}

const NO_TIMEOUTS: DeliveryTimeouts = { timeoutMs: Infinity, maxTimeoutMs: Infinity };

/**
 * The state a delivery and its `withContext` views share, and its own
 * auto-touch entry (an {@link AutoToucher} calls `touch()` on it).
 * A class, not closures: a consumer makes one per message.
 */
export class DeliveryCore implements TouchEntry {
  state: DeliveryState = 'pending';
  /** True while `fail` is dead-lettering: other acknowledgements wait for it. */
  failing = false;
  private childLogger: ILogger | undefined = undefined;
  readonly receivedAt: number;
  readonly deadline: number | undefined;
  readonly timeoutMs: number;
  readonly maxTimeoutMs: number;
  lastTouchedAt: number;
  touchPrev: TouchEntry | undefined = undefined;
  touchNext: TouchEntry | undefined = undefined;
  touchOwner: object | undefined = undefined;

  constructor(
    readonly raw: BrokerDelivery,
    readonly message: Message,
    readonly deps: DeliveryDeps,
    timeouts: DeliveryTimeouts,
  ) {
    const receivedAt = deps.scheduler.now();
    this.receivedAt = receivedAt;
    this.lastTouchedAt = receivedAt;
    this.timeoutMs = timeouts.timeoutMs;
    this.maxTimeoutMs = timeouts.maxTimeoutMs;
    const budget = deadlineBudget(message);
    // on a redelivery the budget runs from when the broker first got the message, if earlier
    const start =
      raw.attempts > 1 && Number.isFinite(raw.timestamp) ? Math.min(receivedAt, raw.timestamp) : receivedAt;
    this.deadline = budget === undefined ? undefined : start + budget;
  }

  /** The auto-touch target is the core itself. */
  get target(): this {
    return this;
  }

  get logger(): ILogger {
    return (this.childLogger ??= this.deps.logger
      .with('topic', this.raw.topic)
      .withContext(this.message.contextID ?? this.raw.id));
  }

  /** The touch of an auto-toucher. */
  touch(): boolean {
    return this.touchBy(true);
  }

  touchBy(auto: boolean): boolean {
    if (this.state !== 'pending') return false;
    let touched: boolean;
    try {
      touched = this.raw.touch();
    } catch {
      touched = false;
    }
    if (touched) this.deps.onTouched?.(this, auto);
    return touched;
  }

  settle(state: 'finished' | 'requeued', delayMs = 0): boolean {
    if (this.state !== 'pending') return false;
    this.state = state;
    let acked: boolean;
    try {
      acked = state === 'finished' ? this.raw.finish() : this.raw.requeue(delayMs);
    } catch (error) {
      acked = false;
      this.deps.logger.warn('transport: acknowledgement failed', { error: deadLetterReason(error) });
    }
    this.deps.onSettled?.(this, state);
    return acked;
  }

  requeue(delayMs = 0): boolean {
    return this.settle('requeued', Number.isFinite(delayMs) ? Math.max(0, Math.round(delayMs)) : 0);
  }

  retryDelay(): number {
    return backoffDelay(this.raw.attempts, this.deps.policy, this.deps.random);
  }

  fail(error: unknown): Promise<FailOutcome> {
    if (this.state !== 'pending' || this.failing) return Promise.resolve('ignored');
    const { deps, raw } = this;
    if (shouldRetry(raw.attempts, deps.policy, error)) {
      return Promise.resolve(this.requeue(this.retryDelay()) ? 'requeued' : 'ignored');
    }
    this.failing = true;
    const letter = deadLetterOf(this.message, {
      reason: deadLetterReason(error),
      topic: raw.topic,
      attempts: raw.attempts,
    });
    return new Promise<FailOutcome>((resolve) => {
      const onFailure = (publishError: unknown): void => {
        this.failing = false;
        deps.onDeadLetter?.(false);
        deps.logger.error('transport: dead-letter publish failed, requeueing', {
          topic: raw.topic,
          deadLetterTopic: deps.deadLetterTopic,
          error: deadLetterReason(publishError),
        });
        resolve(this.requeue(this.retryDelay()) ? 'requeued' : 'ignored');
      };
      try {
        deps.publish(deps.deadLetterTopic, letter).subscribe({
          error: onFailure,
          complete: () => {
            this.failing = false;
            deps.onDeadLetter?.(true);
            this.settle('finished');
            resolve('dead-lettered');
          },
        });
      } catch (publishError) {
        onFailure(publishError);
      }
    });
  }

  /** The delivery as handlers see it. */
  view(context: Readonly<Record<string, unknown>> = EMPTY_CONTEXT): Delivery {
    return new DeliveryView(this, context);
  }
}

const EMPTY_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A {@link Delivery}: a view of a {@link DeliveryCore} with its own context.
 * Its members live on the prototype, so derive one with `withContext`, not
 * with an object spread (which would drop the methods).
 */
class DeliveryView implements Delivery {
  constructor(
    private readonly core: DeliveryCore,
    readonly context: Readonly<Record<string, unknown>>,
  ) {}

  get message(): Message {
    return this.core.message;
  }
  get topic(): string {
    return this.core.raw.topic;
  }
  get channel(): string {
    return this.core.raw.channel;
  }
  get id(): string {
    return this.core.raw.id;
  }
  get attempts(): number {
    return this.core.raw.attempts;
  }
  get timestamp(): number {
    return this.core.raw.timestamp;
  }
  get receivedAt(): number {
    return this.core.receivedAt;
  }
  get deadline(): number | undefined {
    return this.core.deadline;
  }
  get remainingMs(): number {
    const { deadline } = this.core;
    return deadline === undefined ? Infinity : deadline - this.core.deps.scheduler.now();
  }
  get expired(): boolean {
    const { deadline } = this.core;
    return deadline !== undefined && this.core.deps.scheduler.now() >= deadline;
  }
  get state(): DeliveryState {
    return this.core.state;
  }
  get logger(): ILogger {
    return this.core.logger;
  }
  finish(): boolean {
    return !this.core.failing && this.core.settle('finished');
  }
  requeue(delayMs?: number): boolean {
    return !this.core.failing && this.core.requeue(delayMs);
  }
  touch(): boolean {
    return this.core.touchBy(false);
  }
  fail(error: unknown): Promise<FailOutcome> {
    return this.core.fail(error);
  }
  withContext(values: Readonly<Record<string, unknown>>): Delivery {
    return new DeliveryView(this.core, { ...this.context, ...values });
  }
  wrapHandler(handler: DeliveryHandler): DeliveryHandler {
    const wrappers = this.core.deps.wrappersFor(this.core.raw.topic);
    return wrappers.length === 0 ? handler : composeHandler(wrappers, handler);
  }
}

/**
 * Wraps a broker delivery and its decoded message as a {@link Delivery}.
 * The deadline starts when the delivery was received; on a redelivery, when the
 * broker first received the message (if earlier), so time spent waiting for a
 * retry counts against the sender's budget.
 *
 * @example
 * ```ts
 * const delivery = createDelivery(raw, message, deps);
 * delivery.finish(); // true
 * delivery.finish(); // false
 * ```
 */
export const createDelivery = (
  raw: BrokerDelivery,
  message: Message,
  deps: DeliveryDeps,
  timeouts: DeliveryTimeouts = NO_TIMEOUTS,
): Delivery => new DeliveryCore(raw, message, deps, timeouts).view();
