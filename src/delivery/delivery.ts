/**
 * A {@link Delivery}: a broker delivery with its decoded message, guarded
 * acknowledgements, the failure handlers behind `fail`, and its deadline.
 *
 * @packageDocumentation
 */
import type { SchedulerLike } from 'rxjs';
import type { Message } from '../codec/message.js';
import { HeaderKey } from '../constant/headerKey.js';
import { NotADeliveryError } from '../errors.js';
import type { ILogger } from '../logger/types.js';
import type { TouchEntry } from '../broker/autoTouch.js';
import type { BrokerDelivery } from '../broker/types.js';
import { deadLetterReason } from './deadLetter.js';
import type {
  Delivery,
  DeliveryHandler,
  DeliveryState,
  FailHandler,
  FailOutcome,
  Failure,
  HandlerWrapper,
} from './types.js';

/** What a delivery needs from the consumer that made it (one object shared by all its deliveries). */
export interface DeliveryDeps {
  readonly scheduler: SchedulerLike;
  /** The transport's logger; a child with topic and context id is made on first use. */
  readonly logger: ILogger;
  /** Called once per delivery, when it is finished or requeued. */
  readonly onSettled?: (delivery: DeliveryCore, state: Exclude<DeliveryState, 'pending'>) => void;
  /** Called after every successful touch, by the user (`auto` false) or by an auto-toucher (`auto` true). */
  readonly onTouched?: (delivery: DeliveryCore, auto: boolean) => void;
}

/** The failure handlers of a view, the last attached first (an immutable list: views share tails). */
export interface FailChain {
  readonly handler: FailHandler;
  readonly rest: FailChain | undefined;
}

/**
 * The chain of `handlers` as `withFailHandler` would make it, one call per
 * handler in this order (so the last runs first). Made once, it lets a
 * consumer give every delivery the same handlers without a view per handler.
 */
export const failChainOf = (handlers: readonly FailHandler[]): FailChain | undefined =>
  handlers.reduce<FailChain | undefined>((rest, handler) => ({ handler, rest }), undefined);

/** The handler wrappers of a view, the last attached (innermost) first. */
interface WrapperChain {
  readonly wrapper: HandlerWrapper;
  readonly rest: WrapperChain | undefined;
}

/**
 * The budget in the `x-deadline` header, in whole ms, or `undefined` when it is
 * missing or not a non-negative decimal integer.
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
  /** Called once when settled (`whenSettled`); made on first use, most deliveries have none. */
  private settledListeners: ((state: 'finished' | 'requeued') => void)[] | undefined = undefined;
  readonly receivedAt: number;
  /** When the sender's budget started: the delivery, or the broker's first receipt of a redelivered message. */
  private readonly budgetStart: number;
  /** The deadline, read from the header on first use (`null` until then): most handlers never ask. */
  private knownDeadline: number | undefined | null = null;
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
    receivedAt: number = deps.scheduler.now(),
  ) {
    this.receivedAt = receivedAt;
    this.lastTouchedAt = receivedAt;
    this.timeoutMs = timeouts.timeoutMs;
    this.maxTimeoutMs = timeouts.maxTimeoutMs;
    // on a redelivery the budget runs from when the broker first got the message, if earlier
    this.budgetStart =
      raw.attempts > 1 && Number.isFinite(raw.timestamp) ? Math.min(receivedAt, raw.timestamp) : receivedAt;
  }

  get deadline(): number | undefined {
    if (this.knownDeadline === null) {
      const budget = deadlineBudget(this.message);
      this.knownDeadline = budget === undefined ? undefined : this.budgetStart + budget;
    }
    return this.knownDeadline;
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
      this.ackFailed(error);
    }
    this.deps.onSettled?.(this, state);
    if (this.settledListeners !== undefined) this.tellSettled(state);
    return acked;
  }

  // the rare parts of `settle`, kept out of it so that V8 inlines `settle` into the steps that settle
  private ackFailed(error: unknown): void {
    this.deps.logger.warn('transport: acknowledgement failed', { error: deadLetterReason(error) });
  }

  private tellSettled(state: 'finished' | 'requeued'): void {
    const listeners = this.settledListeners ?? [];
    this.settledListeners = undefined;
    for (const listener of listeners) {
      try {
        listener(state);
      } catch (error) {
        this.deps.logger.error('transport: a whenSettled listener threw', {
          error: deadLetterReason(error),
        });
      }
    }
  }

  whenSettled(listener: (state: 'finished' | 'requeued') => void): void {
    if (this.state === 'pending') (this.settledListeners ??= []).push(listener);
    else listener(this.state);
  }

  requeue(delayMs = 0): boolean {
    return this.settle('requeued', Number.isFinite(delayMs) ? Math.max(0, Math.round(delayMs)) : 0);
  }

  /**
   * Runs `chain` on a failure of `delivery` (a view of this core). While it
   * runs, the view's own acknowledgements are refused; the handlers settle
   * through their {@link Failure}. A handler that throws or rejects, or a chain
   * that leaves the delivery pending, ends in a requeue at once.
   */
  fail(error: unknown, chain: FailChain | undefined, delivery: Delivery): Promise<FailOutcome> {
    if (this.state !== 'pending' || this.failing) return Promise.resolve('ignored');
    this.failing = true;
    const requeueNow = (): FailOutcome => (this.requeue(0) ? 'requeued' : 'ignored');
    const run = (node: FailChain | undefined, failed: unknown): Promise<FailOutcome> => {
      if (node === undefined) return Promise.resolve(requeueNow());
      const failure: Failure = {
        error: failed,
        delivery,
        finish: () => this.settle('finished'),
        requeue: (delayMs) => this.requeue(delayMs),
      };
      try {
        return Promise.resolve(node.handler(failure, (next) => run(node.rest, next)));
      } catch (thrown) {
        return Promise.reject(thrown);
      }
    };
    return run(chain, error).then(
      (outcome) => {
        this.failing = false;
        return this.state === 'pending' ? requeueNow() : outcome;
      },
      (thrown: unknown) => {
        this.failing = false;
        this.deps.logger.error('transport: a failure handler threw, requeueing', {
          topic: this.raw.topic,
          error: deadLetterReason(thrown),
        });
        return this.state === 'pending' ? requeueNow() : 'ignored';
      },
    );
  }

  /** The delivery as handlers see it. */
  view(context: Readonly<Record<string, unknown>> = EMPTY_CONTEXT, failChain?: FailChain): Delivery {
    return new DeliveryView(this, context, undefined, failChain, undefined);
  }
}

const EMPTY_CONTEXT: Readonly<Record<string, unknown>> = Object.freeze({});

/**
 * A {@link Delivery}: a view of a {@link DeliveryCore} with its own context,
 * input, failure handlers and handler wrappers. Its members live on the
 * prototype (a consumer makes one per message), so derive one with the `with…`
 * methods, not with an object spread (which would drop the methods).
 */
class DeliveryView<I = unknown> implements Delivery<I> {
  constructor(
    private readonly core: DeliveryCore,
    readonly context: Readonly<Record<string, unknown>>,
    readonly input: I,
    private readonly failChain: FailChain | undefined,
    private readonly wrappers: WrapperChain | undefined,
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
    return this.core.fail(error, this.failChain, this);
  }
  whenSettled(listener: (state: 'finished' | 'requeued') => void): void {
    this.core.whenSettled(listener);
  }
  withContext(values: Readonly<Record<string, unknown>>): Delivery<I> {
    return new DeliveryView(
      this.core,
      { ...this.context, ...values },
      this.input,
      this.failChain,
      this.wrappers,
    );
  }
  withInput<A>(input: A): Delivery<A> {
    return new DeliveryView(this.core, this.context, input, this.failChain, this.wrappers);
  }
  withFailHandler(handler: FailHandler): Delivery<I> {
    if (this.failChain?.handler === handler) return this;
    return new DeliveryView(
      this.core,
      this.context,
      this.input,
      { handler, rest: this.failChain },
      this.wrappers,
    );
  }
  withHandlerWrapper(wrapper: HandlerWrapper): Delivery<I> {
    return new DeliveryView(this.core, this.context, this.input, this.failChain, {
      wrapper,
      rest: this.wrappers,
    });
  }
  wrapHandler(handler: DeliveryHandler<I>): DeliveryHandler<I> {
    let wrapped = handler as DeliveryHandler;
    for (let node = this.wrappers; node !== undefined; node = node.rest) wrapped = node.wrapper(wrapped);
    return wrapped as DeliveryHandler<I>;
  }
}

/**
 * True for a real delivery: an object spread of one (`{ ...delivery }`), which
 * has lost its acknowledgements, is not.
 *
 * @example
 * ```ts
 * import { isDelivery } from 'rxmini';
 * isDelivery({ topic: 'orders', finish: true }); // false
 * ```
 */
export const isDelivery = (value: unknown): value is Delivery =>
  value instanceof DeliveryView ||
  (typeof value === 'object' &&
    value !== null &&
    typeof (value as Partial<Delivery>).fail === 'function' &&
    typeof (value as Partial<Delivery>).finish === 'function' &&
    typeof (value as Partial<Delivery>).withFailHandler === 'function');

/**
 * `value` when it is a delivery; a {@link NotADeliveryError} naming `operator` otherwise.
 *
 * @example
 * ```ts
 * import { map, type OperatorFunction } from 'rxjs';
 * import { asDelivery, type Delivery } from 'rxmini';
 * const markSeen = (): OperatorFunction<unknown, Delivery> =>
 *   map((d) => asDelivery(d, 'markSeen').withContext({ seen: true }));
 * ```
 */
export const asDelivery = <D>(value: D, operator: string): D & Delivery => {
  if (isDelivery(value)) return value as D & Delivery;
  throw new NotADeliveryError(operator);
};

/**
 * Wraps a broker delivery and its decoded message as a {@link Delivery}.
 * The deadline starts when the delivery was received; on a redelivery, when the
 * broker first received the message (if earlier), so time spent waiting for a
 * retry counts against the sender's budget.
 */
export const createDelivery = (
  raw: BrokerDelivery,
  message: Message,
  deps: DeliveryDeps,
  timeouts: DeliveryTimeouts = NO_TIMEOUTS,
  /** When it was received, when the caller knows (default: now, on `deps.scheduler`). */
  receivedAt?: number,
  /** Failure handlers attached from the start (see {@link failChainOf}). */
  failChain?: FailChain,
): Delivery => new DeliveryCore(raw, message, deps, timeouts, receivedAt).view(EMPTY_CONTEXT, failChain);
