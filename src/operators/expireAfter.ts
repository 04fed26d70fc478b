import {
  Observable,
  asyncScheduler,
  type OperatorFunction,
  type SchedulerLike,
  type Subscription,
} from 'rxjs';
import { ConfigError } from '../errors.js';
import { MAX_TTL_MS } from '../constant/limits.js';

/**
 * Options of {@link expireAfter}.
 *
 * @example
 * ```ts
 * import type { ExpireAfterConfig } from 'rxmini';
 * const config: ExpireAfterConfig<{ id: string; closed: boolean }, string> = {
 *   key: (event) => event.id,
 *   isDone: (event) => event.closed,
 * };
 * ```
 */
export interface ExpireAfterConfig<T, K> {
  /** The key an item refreshes or ends; default: the item itself. */
  readonly key?: (item: T) => K;
  /** True for an item that ends its key's TTL without an expiry; default: never. */
  readonly isDone?: (item: T) => boolean;
  /** Where the TTL timers run; default `asyncScheduler` (virtual under `TestScheduler.run`). */
  readonly scheduler?: SchedulerLike;
}

/**
 * What {@link expireAfter} emits for a key that outlived its TTL.
 *
 * @example
 * ```ts
 * import type { Expiry } from 'rxmini';
 * const expiry: Expiry<string, string> = { key: 'ctx-1', item: 'ctx-1', at: 60_000 };
 * ```
 */
export interface Expiry<T, K> {
  /** The key that expired. */
  readonly key: K;
  /** The last item seen for that key. */
  readonly item: T;
  /** `scheduler.now()` when it expired. */
  readonly at: number;
}

/**
 * Emits an {@link Expiry} for every key that sees no new item and no "done" item
 * within `ttlMs` of its last item. An item whose key is pending restarts that
 * key's TTL (sliding expiry, as a heartbeat does); an item for which `isDone`
 * returns true ends it without an expiry. Keys live in the operator only while
 * they are pending, so state never outgrows the keys currently open.
 *
 * When the source completes, keys still pending expire at their deadlines and
 * then the output completes. A source error, a throwing `key`/`isDone`, or an
 * unsubscribe clears every timer at once.
 *
 * @param ttlMs - Time to live in ms, from 0 to {@link MAX_TTL_MS}; anything else throws a `ConfigError`.
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import { expireAfter } from 'rxmini';
 * const lifecycle$ = new Subject<{ id: string; closed: boolean }>();
 * lifecycle$
 *   .pipe(expireAfter(30_000, { key: (e) => e.id, isDone: (e) => e.closed }))
 *   .subscribe(({ key }) => log.info('expired', { key: String(key) }));
 * lifecycle$.next({ id: 'ctx-1', closed: false }); // expires in 30 s unless…
 * lifecycle$.next({ id: 'ctx-1', closed: true }); // …it is closed first
 * ```
 * @see {@link ExpireAfterConfig}
 */
export function expireAfter<T>(
  ttlMs: number,
  config?: ExpireAfterConfig<T, T> & { readonly key?: undefined },
): OperatorFunction<T, Expiry<T, T>>;
export function expireAfter<T, K>(
  ttlMs: number,
  config: ExpireAfterConfig<T, K> & { readonly key: (item: T) => K },
): OperatorFunction<T, Expiry<T, K>>;
export function expireAfter<T, K>(
  ttlMs: number,
  config: ExpireAfterConfig<T, K> = {},
): OperatorFunction<T, Expiry<T, K>> {
  assertTtl(ttlMs);
  const keyOf = config.key ?? ((item: T) => item as unknown as K);
  const isDone = config.isDone ?? (() => false);
  const scheduler = config.scheduler ?? asyncScheduler;

  return (source) =>
    new Observable<Expiry<T, K>>((subscriber) => {
      const pending = new Map<K, Subscription>();
      let sourceDone = false;

      const clearAll = (): void => {
        for (const timer of pending.values()) timer.unsubscribe();
        pending.clear();
      };

      const sourceSubscription = source.subscribe({
        next: (item) => {
          let key: K;
          let done: boolean;
          try {
            key = keyOf(item);
            done = isDone(item);
          } catch (err: unknown) {
            clearAll();
            subscriber.error(err);
            return;
          }
          pending.get(key)?.unsubscribe();
          pending.delete(key);
          if (done) return;
          const timer = scheduler.schedule(() => {
            // forget the key before emitting, so a subscriber that reacts by
            // sending a "done" item for it finds nothing left to cancel
            pending.delete(key);
            subscriber.next({ key, item, at: scheduler.now() });
            if (sourceDone && pending.size === 0) subscriber.complete();
          }, ttlMs);
          pending.set(key, timer);
        },
        error: (err: unknown) => {
          clearAll();
          subscriber.error(err);
        },
        complete: () => {
          sourceDone = true;
          if (pending.size === 0) subscriber.complete();
        },
      });

      return () => {
        sourceSubscription.unsubscribe();
        clearAll();
      };
    });
}

const assertTtl = (ttlMs: number): void => {
  if (!Number.isFinite(ttlMs) || ttlMs < 0 || ttlMs > MAX_TTL_MS) {
    throw new ConfigError(`ttlMs must be a number from 0 to ${MAX_TTL_MS}, got ${String(ttlMs)}`);
  }
};
