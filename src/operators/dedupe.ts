import { Observable, asyncScheduler, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import { ConfigError } from '../errors.js';
import { HeaderKey } from '../constant/headerKey.js';
import { asDelivery } from '../delivery/delivery.js';
import type { Delivery } from '../delivery/types.js';

/**
 * Options of {@link dedupe}.
 *
 * @example
 * ```ts
 * import type { DedupeOptions } from 'rxmini';
 * const byOrderId: DedupeOptions = { key: (d) => String(d.message.body?.['orderId']), ttl: 60_000 };
 * ```
 */
export interface DedupeOptions {
  /**
   * What identifies one message across re-publishes; `undefined` lets the
   * delivery through unchecked. Default: the `x-idempotency-key` header, else
   * the `contextID`.
   */
  readonly key?: (delivery: Delivery) => string | undefined;
  /** How long a key is remembered after its first delivery, in ms; default 10 min. */
  readonly ttl?: number;
  /** Most keys remembered: past it the oldest is forgotten first; default 10 000. */
  readonly max?: number;
  /** The clock of `ttl`; default `asyncScheduler`. */
  readonly scheduler?: SchedulerLike;
  /** Called with each duplicate dropped (after it was finished). */
  readonly onDuplicate?: (delivery: Delivery) => void;
}

/** Default {@link DedupeOptions.ttl}: 10 min. */
export const DEFAULT_DEDUPE_TTL_MS = 600_000;

/** Default {@link DedupeOptions.max}. */
export const DEFAULT_DEDUPE_MAX = 10_000;

const defaultKey = (delivery: Delivery): string | undefined =>
  delivery.message.header?.[HeaderKey.IDEMPOTENCY_KEY] ?? delivery.message.contextID;

interface Seen<D> {
  /** Broker id of the delivery that was let through. */
  id: string;
  readonly expiresAt: number;
  /** True once that delivery was requeued: its own redelivery (the retry) may pass, once. */
  requeued: boolean;
  /** True until that delivery is settled. */
  pending: boolean;
  /**
   * Redeliveries of that same message (same broker id) that came while it was
   * still being handled, held until it settles.
   */
  held: D[];
}

/**
 * Drops duplicates, which at-least-once delivery makes: a message published
 * twice (a producer retrying after an ambiguous failure), or redelivered after
 * it was handled (its `FIN` lost with a connection). The first delivery of a
 * key passes; a later one within `ttl` is finished (acknowledged) and dropped.
 *
 * A retry is not a duplicate: when a delivery that passed is requeued (by a
 * retry policy, the drain, or the handler), its own redelivery (same broker
 * id) passes once more, while other messages with its key are still dropped;
 * so `dedupe` may stand anywhere in the pipe. Memory is bounded by `max` keys,
 * each kept `ttl` ms from its first delivery.
 *
 * A redelivery of the same message (same broker id) while the first is still
 * being handled (the broker timed it out: its handler ran past the message
 * timeout despite auto-touch) is held, unacknowledged, until the first
 * settles: finished then if the first was finished (the broker counts the
 * message done only through the redelivery it now holds), let through if the
 * first was requeued (the redelivery is its retry, and the first one's requeue
 * may have been refused). So a slow first attempt that then fails loses
 * nothing.
 *
 * @example
 * ```ts
 * import { dedupe, handleDeliveries, memoryTransport } from 'rxmini';
 * const bus = memoryTransport();
 * bus
 *   .subscribeTopic('payments.captured')
 *   .pipe(
 *     dedupe({ ttl: 3_600_000 }), // one capture per idempotency key (or contextID) within an hour
 *     handleDeliveries(async (d) => d.logger.info('captured', { id: d.id })),
 *   )
 *   .subscribe();
 * ```
 */
export const dedupe = <D extends Delivery>(options: DedupeOptions = {}): MonoTypeOperatorFunction<D> => {
  const ttl = options.ttl ?? DEFAULT_DEDUPE_TTL_MS;
  const max = options.max ?? DEFAULT_DEDUPE_MAX;
  if (!(ttl >= 0)) throw new ConfigError(`dedupe ttl must be a number of ms >= 0, got ${String(ttl)}`);
  if (!(Number.isInteger(max) && max >= 1))
    throw new ConfigError(`dedupe max must be an integer >= 1, got ${String(max)}`);
  const keyOf = options.key ?? defaultKey;
  const scheduler = options.scheduler ?? asyncScheduler;

  return (source) =>
    // per subscription: two subscriptions of one pipe do not share their keys. Written out, not
    // map + filter: a held redelivery is emitted later, when the delivery it waits for settles
    new Observable<D>((subscriber) => {
      const seen = new Map<string, Seen<D>>();

      const forgetExpired = (now: number): void => {
        // one ttl for all, so insertion order is expiry order
        for (const [key, entry] of seen) {
          if (entry.expiresAt > now) return;
          seen.delete(key);
        }
      };

      const drop = (delivery: D): void => {
        delivery.finish();
        options.onDuplicate?.(delivery);
      };

      /** Lets `delivery` through as the one of its key, watching how it settles. */
      const pass = (entry: Seen<D>, delivery: D): void => {
        entry.pending = true;
        delivery.whenSettled((state) => {
          entry.pending = false;
          const held = entry.held.splice(0);
          if (state === 'requeued') entry.requeued = true;
          for (const redelivery of held) {
            if (state === 'finished' || subscriber.closed) {
              if (state === 'finished') drop(redelivery);
              continue; // unsubscribed: left unacknowledged, the broker redelivers it
            }
            // the retry of the requeued one: it passes in its place
            entry.requeued = false;
            entry.id = redelivery.id;
            pass(entry, redelivery);
            subscriber.next(redelivery);
          }
        });
      };

      const check = (value: D): D | undefined => {
        const delivery = asDelivery(value, 'dedupe');
        const key = keyOf(delivery);
        if (key === undefined) return value;
        const now = scheduler.now();
        forgetExpired(now);
        let entry = seen.get(key);
        if (entry === undefined) {
          entry = { id: delivery.id, expiresAt: now + ttl, requeued: false, pending: false, held: [] };
          seen.set(key, entry);
          if (seen.size > max) seen.delete(seen.keys().next().value as string);
        } else if (entry.requeued && entry.id === delivery.id) {
          entry.requeued = false; // the retry of the delivery that was requeued
        } else if (entry.pending && entry.id === delivery.id) {
          entry.held.push(value); // the broker gave up on the first: wait for how it ends
          return undefined;
        } else {
          drop(value);
          return undefined;
        }
        pass(entry, value);
        return value;
      };

      return source.subscribe({
        next: (value) => {
          let passed: D | undefined;
          try {
            passed = check(value);
          } catch (error) {
            // a key or onDuplicate that throws errors the stream, as any operator's callback does
            subscriber.error(error);
            return;
          }
          if (passed !== undefined) subscriber.next(passed);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => subscriber.complete(),
      });
    });
};
