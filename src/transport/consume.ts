/**
 * One consumer of one topic/channel as an Observable of {@link Delivery}:
 * decoding, dead-lettering what cannot be decoded, auto-touch, in-flight
 * accounting for the drain, and the operator middleware of the topic.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import {
  Observable,
  defer,
  interval,
  takeUntil,
  throwError,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { decode } from '../codec/wire.js';
import { validateDecoded } from '../codec/validate.js';
import type { Message } from '../codec/message.js';
import { TransportClosedError, type RxMiniError } from '../errors.js';
import type { ILogger } from '../logger/types.js';
import type { Broker, BrokerDelivery } from './broker.js';
import { TransportMetric, type Counters } from './counters.js';
import { deadLetterReason, undecodableDeadLetter } from './deadLetter.js';
import { createDelivery, type DeliveryDeps } from './delivery.js';
import type { InFlight } from './inFlight.js';
import type { MiddlewareRegistry } from './middleware.js';
import { validateChannel, validateTopic } from './names.js';
import { backoffDelay, resolveRetryPolicy } from './retry.js';
import type { Delivery, RetryPolicies, RetryPolicy, SubscribeTopicOptions } from './types.js';

/** The broker's default in-flight timeout, assumed when a consumer sets none. */
export const DEFAULT_MSG_TIMEOUT_MS = 60_000;

/**
 * How long a delivery is touched automatically: 15 min, nsqd's default
 * `--max-msg-timeout`, past which nsqd times a message out however often it is
 * touched. A handler stuck longer than that gets its message redelivered.
 */
export const MAX_AUTO_TOUCH_MS = 900_000;

/**
 * Delay of a requeue made while draining: a message that comes in then goes back
 * for another consumer, without bouncing straight back to this one.
 */
export const DRAIN_REQUEUE_DELAY_MS = 1_000;

/** What every consumer of a transport shares. */
export interface ConsumeContext {
  readonly broker: Broker;
  readonly scheduler: SchedulerLike;
  readonly logger: ILogger;
  readonly random: () => number;
  readonly counters: Counters;
  readonly retry: RetryPolicies;
  readonly deadLetterTopic: (topic: string) => string;
  /** Cold publish: completes when the broker took the message. */
  readonly publish: (topic: string, msg: Message) => Observable<void>;
  readonly middleware: MiddlewareRegistry;
  readonly inFlight: InFlight;
  /** True once the transport stopped taking messages: new ones are requeued at once. */
  readonly isDraining: () => boolean;
  /** True once the transport is closed: new subscriptions fail. */
  readonly isClosed: () => boolean;
  /** Emits when consumers must complete (after the drain). */
  readonly stop$: Observable<unknown>;
}

interface TouchEntry {
  readonly touch: () => boolean;
  readonly receivedAt: number;
  lastTouchedAt: number;
}

/** Checks names, the dead-letter topic and the retry policy before anything is consumed. */
const prepare = (
  ctx: ConsumeContext,
  topic: string,
  channel: string,
  options: SubscribeTopicOptions,
): { policy: RetryPolicy; deadLetterTopic: string } | RxMiniError => {
  const topicName = validateTopic(topic);
  if (isLeft(topicName)) return topicName.left;
  const channelName = validateChannel(channel);
  if (isLeft(channelName)) return channelName.left;
  let deadLetterTopic: string;
  try {
    deadLetterTopic = ctx.deadLetterTopic(topic);
  } catch (error) {
    deadLetterTopic = String(error);
  }
  const deadLetterName = validateTopic(deadLetterTopic);
  if (isLeft(deadLetterName)) return deadLetterName.left;
  const policy = resolveRetryPolicy(ctx.retry, topic, options.retry);
  if (isLeft(policy)) return policy.left;
  return { policy: policy.right, deadLetterTopic };
};

/**
 * Consumes `topic` on `channel` as decoded deliveries (see {@link Transport.subscribeTopic}).
 * Fails at once, before consuming, on an invalid topic, channel or dead-letter
 * name, or an invalid retry policy.
 *
 * @example
 * ```ts
 * consumeTopic(ctx, 'orders.created', 'billing', { maxInFlight: 10 }).subscribe((d) => d.finish());
 * ```
 */
export const consumeTopic = (
  ctx: ConsumeContext,
  topic: string,
  channel: string,
  options: SubscribeTopicOptions = {},
): Observable<Delivery> =>
  defer(() => {
    if (ctx.isClosed()) return throwError(() => new TransportClosedError(`subscribe to ${topic}`));
    const prepared = prepare(ctx, topic, channel, options);
    if (!('policy' in prepared)) return throwError(() => prepared);
    return consumePrepared(ctx, topic, channel, options, prepared.policy, prepared.deadLetterTopic).pipe(
      takeUntil(ctx.stop$),
      ctx.middleware.operatorFor(topic),
    );
  });

const consumePrepared = (
  ctx: ConsumeContext,
  topic: string,
  channel: string,
  options: SubscribeTopicOptions,
  policy: RetryPolicy,
  deadLetterTopic: string,
): Observable<Delivery> =>
  new Observable<Delivery>((subscriber) => {
    const { scheduler, counters, logger } = ctx;
    const maxInFlight = options.maxInFlight ?? options.concurrency ?? 1;
    const msgTimeoutMs = options.msgTimeoutMs ?? DEFAULT_MSG_TIMEOUT_MS;
    const autoTouch = options.autoTouch ?? true;
    const touchAfterMs = Math.max(1, Math.floor(msgTimeoutMs / 2));

    /** Deliveries handed out and not yet acknowledged: their drain release and auto-touch entry. */
    const pending = new Map<object, { readonly release: () => void; entry: TouchEntry | undefined }>();
    let sweep: Subscription | undefined;

    const anyTouchable = (): boolean => {
      for (const slot of pending.values()) if (slot.entry !== undefined) return true;
      return false;
    };
    const stopSweepIfIdle = (): void => {
      if (sweep && !anyTouchable()) {
        sweep.unsubscribe();
        sweep = undefined;
      }
    };
    const touchDue = (slot: { entry: TouchEntry | undefined }, now: number): void => {
      const { entry } = slot;
      if (!entry) return;
      if (now - entry.receivedAt >= MAX_AUTO_TOUCH_MS) {
        slot.entry = undefined;
        return;
      }
      if (now - entry.lastTouchedAt < touchAfterMs) return;
      if (entry.touch()) {
        entry.lastTouchedAt = now;
        counters.inc(TransportMetric.autoTouched);
      } else {
        slot.entry = undefined;
      }
    };
    const startSweep = (): void => {
      if (sweep || !autoTouch) return;
      // checks at a quarter of the timeout, so each touch lands between half and three quarters of it
      sweep = interval(Math.max(1, Math.floor(msgTimeoutMs / 4)), scheduler).subscribe(() => {
        const now = scheduler.now();
        for (const slot of pending.values()) touchDue(slot, now);
        stopSweepIfIdle();
      });
    };
    const forget = (key: object): void => {
      const slot = pending.get(key);
      if (!slot) return;
      pending.delete(key);
      slot.release();
      stopSweepIfIdle();
    };

    const deadLetterUndecodable = (raw: BrokerDelivery, reason: string): void => {
      counters.inc(TransportMetric.undecodable);
      logger.warn('transport: undecodable message, dead-lettering it', {
        topic,
        channel,
        id: raw.id,
        reason,
      });
      const release = ctx.inFlight.start();
      const letter = undecodableDeadLetter(raw.body, { reason, topic, attempts: raw.attempts });
      ctx.publish(deadLetterTopic, letter).subscribe({
        complete: () => {
          counters.inc(TransportMetric.deadLettered);
          raw.finish();
          release();
        },
        error: (error: unknown) => {
          counters.inc(TransportMetric.deadLetterFailed);
          logger.error('transport: dead-letter publish failed, requeueing', {
            topic,
            deadLetterTopic,
            error: deadLetterReason(error),
          });
          raw.requeue(backoffDelay(raw.attempts, policy, ctx.random));
          release();
        },
      });
    };

    const onRaw = (raw: BrokerDelivery): void => {
      if (ctx.isDraining()) {
        raw.requeue(DRAIN_REQUEUE_DELAY_MS);
        return;
      }
      const decoded = decode(raw.body);
      if (isLeft(decoded)) return deadLetterUndecodable(raw, decoded.left.message);
      const valid = validateDecoded(decoded.right);
      if (isLeft(valid)) return deadLetterUndecodable(raw, valid.left.message);

      const key = {};
      const now = scheduler.now();
      const entry: TouchEntry | undefined = autoTouch
        ? { touch: () => raw.touch(), receivedAt: now, lastTouchedAt: now }
        : undefined;
      pending.set(key, { release: ctx.inFlight.start(), entry });
      const deps: DeliveryDeps = {
        scheduler,
        logger,
        random: ctx.random,
        policy,
        deadLetterTopic,
        publish: ctx.publish,
        wrappersFor: ctx.middleware.wrappersFor,
        onSettled: (state) => {
          counters.inc(state === 'finished' ? TransportMetric.finished : TransportMetric.requeued);
          forget(key);
        },
        onTouched: () => {
          if (entry) entry.lastTouchedAt = scheduler.now();
        },
        onDeadLetter: (ok) =>
          counters.inc(ok ? TransportMetric.deadLettered : TransportMetric.deadLetterFailed),
      };
      const delivery = createDelivery(raw, valid.right, deps);
      counters.inc(TransportMetric.received);
      if (entry) startSweep();
      subscriber.next(delivery);
    };

    const consumer = ctx.broker
      .consume({
        topic,
        channel,
        maxInFlight,
        ...(options.lowLatency === undefined ? {} : { lowLatency: options.lowLatency }),
        ...(options.msgTimeoutMs === undefined ? {} : { msgTimeoutMs: options.msgTimeoutMs }),
      })
      .subscribe({
        next: (raw) => {
          try {
            onRaw(raw);
          } catch (error) {
            // only a subscriber that throws synchronously gets here; the delivery stays in flight
            logger.error('transport: subscriber threw', { topic, error: deadLetterReason(error) });
          }
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });

    return () => {
      consumer.unsubscribe();
      sweep?.unsubscribe();
      sweep = undefined;
      // the broker gives unacknowledged deliveries back; they no longer hold up a drain
      for (const slot of pending.values()) slot.release();
      pending.clear();
    };
  });
