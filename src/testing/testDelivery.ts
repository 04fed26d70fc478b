import { asyncScheduler, type SchedulerLike } from 'rxjs';
import type { JsonObject } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import type { ILogger } from '../logger/types.js';
import { noopLogger } from '../logger/noopLogger.js';
import type { BrokerDelivery } from '../broker/types.js';
import { createDelivery } from '../delivery/delivery.js';
import type { Delivery } from '../delivery/types.js';

/**
 * An acknowledgement a {@link testDelivery} passed on to its (pretend) broker.
 * The delivery's own guards apply first: only the first `finish` or `requeue`
 * gets here, and no `touch` after it.
 */
export interface TestAck {
  readonly kind: 'finish' | 'requeue' | 'touch';
  /** The requeue delay, in ms. */
  readonly delayMs?: number;
  /** When, on the delivery's scheduler (a frame inside `TestScheduler.run`). */
  readonly at: number;
}

/**
 * Options of {@link testDelivery}: everything has a default.
 *
 * @example
 * ```ts
 * import type { TestDeliveryOptions } from 'rxmini/testing';
 * const retried: TestDeliveryOptions = { topic: 'orders.created', attempts: 3, body: { id: 7 } };
 * ```
 */
export interface TestDeliveryOptions {
  /** The message; default an event with `contextID` `'test-<id>'` and `body`. */
  readonly message?: Message;
  /** The body of the default message; default `{}`. */
  readonly body?: JsonObject;
  /** Default `'test.topic'`. */
  readonly topic?: string;
  /** Default `'test'`. */
  readonly channel?: string;
  /** The broker's message id; default `'m1'`. */
  readonly id?: string;
  /** The broker's attempt count; default 1. */
  readonly attempts?: number;
  /** When the broker received it, in ms; default the scheduler's now. */
  readonly timestamp?: number;
  /** The clock of its deadline and of {@link TestAck.at}; default `asyncScheduler`. Pass the `TestScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Where it logs; default nowhere. */
  readonly logger?: ILogger;
}

/** A {@link Delivery} that records its acknowledgements (`acks`); views made from it share them. */
export type TestDelivery = Delivery & { readonly acks: readonly TestAck[] };

/**
 * A real delivery, as the transport makes, over a pretend broker that records
 * what it was told: for unit and marble tests of your own operators and
 * handlers. It has no failure handlers, so `fail` requeues at once unless you
 * pipe it through `retryWithBackoff` / `deadLetter` (as the transport does).
 *
 * @example
 * ```ts
 * import { testDelivery } from 'rxmini/testing';
 * const delivery = testDelivery({ body: { id: 7 }, attempts: 2 });
 * delivery.finish();
 * delivery.acks; // [{ kind: 'finish', at: … }]
 * ```
 */
export const testDelivery = (options: TestDeliveryOptions = {}): TestDelivery => {
  const scheduler = options.scheduler ?? asyncScheduler;
  const id = options.id ?? 'm1';
  const acks: TestAck[] = [];
  const raw: BrokerDelivery = {
    id,
    topic: options.topic ?? 'test.topic',
    channel: options.channel ?? 'test',
    attempts: options.attempts ?? 1,
    timestamp: options.timestamp ?? scheduler.now(),
    body: new Uint8Array(),
    finish: () => (acks.push({ kind: 'finish', at: scheduler.now() }), true),
    requeue: (delayMs = 0) => (acks.push({ kind: 'requeue', delayMs, at: scheduler.now() }), true),
    touch: () => (acks.push({ kind: 'touch', at: scheduler.now() }), true),
  };
  const message: Message = options.message ?? {
    type: 'event',
    contextID: `test-${id}`,
    body: options.body ?? {},
  };
  const delivery = createDelivery(raw, message, { scheduler, logger: options.logger ?? noopLogger });
  return Object.defineProperty(delivery, 'acks', { value: acks, enumerable: true }) as TestDelivery;
};
