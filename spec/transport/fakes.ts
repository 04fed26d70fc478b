/**
 * Fakes for unit specs of the transport: a broker delivery that records its
 * acknowledgements, and a Delivery built on it.
 */
import { EMPTY, asyncScheduler, throwError, type Observable, type SchedulerLike } from 'rxjs';
import type { Message } from '../../src/codec/message.js';
import { noopLogger } from '../../src/logger/noopLogger.js';
import type { BrokerDelivery } from '../../src/broker/types.js';
import { createDelivery, type DeliveryDeps } from '../../src/delivery/delivery.js';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../../src/delivery/retry.js';
import { deadLetterFailHandler } from '../../src/operators/deadLetter.js';
import { retryFailHandler } from '../../src/operators/retryWithBackoff.js';
import type { Delivery } from '../../src/delivery/types.js';

/** A broker delivery that records every acknowledgement it receives. */
export interface FakeBrokerDelivery extends BrokerDelivery {
  readonly calls: string[];
}

export const fakeBrokerDelivery = (
  overrides: Partial<Pick<BrokerDelivery, 'attempts' | 'timestamp' | 'topic' | 'id'>> = {},
): FakeBrokerDelivery => {
  const calls: string[] = [];
  let acked = false;
  const ack = (call: string): boolean => {
    calls.push(call);
    if (acked) return false;
    acked = true;
    return true;
  };
  return {
    id: overrides.id ?? 'm1',
    topic: overrides.topic ?? 'orders',
    channel: 'svc',
    attempts: overrides.attempts ?? 1,
    timestamp: overrides.timestamp ?? 0,
    body: new Uint8Array(),
    calls,
    finish: () => ack('finish'),
    requeue: (delayMs = 0) => ack(`requeue:${delayMs}`),
    touch: () => {
      calls.push('touch');
      return !acked;
    },
  };
};

/** What a fake delivery published as dead letters. */
export interface Published {
  readonly topic: string;
  readonly message: Message;
}

/** The policy of fake deliveries: 3 attempts, 100 ms doubling, no jitter. */
export const FAKE_POLICY = { ...DEFAULT_RETRY_POLICY, maxAttempts: 3, jitter: 0 };

/**
 * A delivery over a fake broker delivery, with the failure handlers the
 * transport attaches (dead letter to `<topic>.dead`, then retry with
 * {@link FAKE_POLICY}), built from the same handler factories.
 */
export const fakeDelivery = (
  message: Message,
  options: {
    readonly raw?: FakeBrokerDelivery;
    readonly deps?: Partial<DeliveryDeps>;
    readonly publishFails?: boolean;
    readonly publish?: (topic: string, msg: Message) => Observable<void>;
    readonly onDeadLetter?: (ok: boolean) => void;
    readonly scheduler?: SchedulerLike;
  } = {},
): { delivery: Delivery; raw: FakeBrokerDelivery; published: Published[] } => {
  const raw = options.raw ?? fakeBrokerDelivery();
  const published: Published[] = [];
  const deps: DeliveryDeps = {
    scheduler: options.scheduler ?? asyncScheduler,
    logger: noopLogger,
    ...options.deps,
  };
  const random = (): number => 0.5;
  const delivery = createDelivery(raw, message, deps)
    .withFailHandler(
      deadLetterFailHandler({
        topic: `${raw.topic}.dead`,
        publish:
          options.publish ??
          ((topic, msg): Observable<void> => {
            published.push({ topic, message: msg });
            return options.publishFails ? throwError(() => new Error('broker down')) : EMPTY;
          }),
        requeueDelayMs: (attempts) => backoffDelay(attempts, FAKE_POLICY, random),
        ...(options.onDeadLetter === undefined ? {} : { onPublished: options.onDeadLetter }),
      }),
    )
    .withFailHandler(retryFailHandler(FAKE_POLICY, random));
  return { delivery, raw, published };
};
