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
import type { BrokerDelivery } from './broker.js';
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

/** What a delivery needs from the consumer that made it. */
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
  /** Called once, when the delivery is finished or requeued. */
  readonly onSettled?: (state: Exclude<DeliveryState, 'pending'>) => void;
  /** Called after every successful touch. */
  readonly onTouched?: () => void;
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

/** State shared by a delivery and its `withContext` views. */
interface Core {
  readonly raw: BrokerDelivery;
  readonly message: Message;
  readonly receivedAt: number;
  readonly deadline: number | undefined;
  readonly deps: DeliveryDeps;
  state: DeliveryState;
  /** True while `fail` is dead-lettering: other acknowledgements wait for it. */
  failing: boolean;
  logger: ILogger | undefined;
}

const settle = (core: Core, state: 'finished' | 'requeued', ack: () => boolean): boolean => {
  if (core.state !== 'pending') return false;
  core.state = state;
  let acked: boolean;
  try {
    acked = ack();
  } catch (error) {
    acked = false;
    core.deps.logger.warn('transport: acknowledgement failed', { error: deadLetterReason(error) });
  }
  core.deps.onSettled?.(state);
  return acked;
};

const finish = (core: Core): boolean => settle(core, 'finished', () => core.raw.finish());

const requeue = (core: Core, delayMs = 0): boolean => {
  const delay = Number.isFinite(delayMs) ? Math.max(0, Math.round(delayMs)) : 0;
  return settle(core, 'requeued', () => core.raw.requeue(delay));
};

const retryDelay = (core: Core): number =>
  backoffDelay(core.raw.attempts, core.deps.policy, core.deps.random);

const fail = (core: Core, error: unknown): Promise<FailOutcome> => {
  if (core.state !== 'pending' || core.failing) return Promise.resolve('ignored');
  const { deps, raw } = core;
  if (shouldRetry(raw.attempts, deps.policy, error)) {
    return Promise.resolve(requeue(core, retryDelay(core)) ? 'requeued' : 'ignored');
  }
  core.failing = true;
  const letter = deadLetterOf(core.message, {
    reason: deadLetterReason(error),
    topic: raw.topic,
    attempts: raw.attempts,
  });
  return new Promise<FailOutcome>((resolve) => {
    const onFailure = (publishError: unknown): void => {
      core.failing = false;
      deps.onDeadLetter?.(false);
      deps.logger.error('transport: dead-letter publish failed, requeueing', {
        topic: raw.topic,
        deadLetterTopic: deps.deadLetterTopic,
        error: deadLetterReason(publishError),
      });
      resolve(requeue(core, retryDelay(core)) ? 'requeued' : 'ignored');
    };
    try {
      deps.publish(deps.deadLetterTopic, letter).subscribe({
        error: onFailure,
        complete: () => {
          core.failing = false;
          deps.onDeadLetter?.(true);
          finish(core);
          resolve('dead-lettered');
        },
      });
    } catch (publishError) {
      onFailure(publishError);
    }
  });
};

const view = (core: Core, context: Readonly<Record<string, unknown>>): Delivery => ({
  message: core.message,
  topic: core.raw.topic,
  channel: core.raw.channel,
  id: core.raw.id,
  attempts: core.raw.attempts,
  timestamp: core.raw.timestamp,
  receivedAt: core.receivedAt,
  deadline: core.deadline,
  get remainingMs() {
    return core.deadline === undefined ? Infinity : core.deadline - core.deps.scheduler.now();
  },
  get expired() {
    return core.deadline !== undefined && core.deps.scheduler.now() >= core.deadline;
  },
  get state() {
    return core.state;
  },
  context,
  get logger() {
    core.logger ??= core.deps.logger
      .with('topic', core.raw.topic)
      .withContext(core.message.contextID ?? core.raw.id);
    return core.logger;
  },
  finish: () => !core.failing && finish(core),
  requeue: (delayMs?: number) => !core.failing && requeue(core, delayMs),
  touch: () => {
    if (core.state !== 'pending') return false;
    let touched: boolean;
    try {
      touched = core.raw.touch();
    } catch {
      touched = false;
    }
    if (touched) core.deps.onTouched?.();
    return touched;
  },
  fail: (error: unknown) => fail(core, error),
  withContext: (values) => view(core, { ...context, ...values }),
  wrapHandler: (handler: DeliveryHandler) => composeHandler(core.deps.wrappersFor(core.raw.topic), handler),
});

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
export const createDelivery = (raw: BrokerDelivery, message: Message, deps: DeliveryDeps): Delivery => {
  const receivedAt = deps.scheduler.now();
  const budget = deadlineBudget(message);
  const start =
    raw.attempts > 1 && Number.isFinite(raw.timestamp) ? Math.min(receivedAt, raw.timestamp) : receivedAt;
  const core: Core = {
    raw,
    message,
    receivedAt,
    deadline: budget === undefined ? undefined : start + budget,
    deps,
    state: 'pending',
    failing: false,
    logger: undefined,
  };
  return view(core, {});
};
