import {
  Observable,
  from,
  isObservable,
  map,
  of,
  pipe,
  type OperatorFunction,
  type Subscription,
} from 'rxjs';
import type { ILogger } from '../logger/types.js';
import { asDelivery } from '../delivery/delivery.js';
import { composeHandler } from '../delivery/composeHandler.js';
import { isPromiseLike, knownOutcome } from '../delivery/settled.js';
import type { Delivery, DeliveryHandler, FailOutcome, HandlerWrapper } from '../delivery/types.js';
import { recoverWithContext } from './recoverWithContext.js';

/**
 * Options of {@link handleDeliveries}.
 *
 * @example
 * ```ts
 * import type { HandleDeliveriesOptions } from 'rxmini';
 * const options: HandleDeliveriesOptions = { concurrency: 8, label: 'orders' };
 * ```
 */
export interface HandleDeliveriesOptions {
  /** Deliveries handled at once (as `mergeMap`); default `Infinity` (the consumer's `maxInFlight` bounds it). */
  readonly concurrency?: number;
  /** More handler wrappers, inside the transport's ones (closest to the handler), first outermost. */
  readonly middleware?: readonly HandlerWrapper[];
  /** Names unexpected failures in panic reports; default `'handleDeliveries'`. */
  readonly label?: string;
  /** Where unexpected failures are logged (see `recoverWithContext`). */
  readonly logger?: ILogger;
}

/**
 * What became of one delivery in {@link handleDeliveries}:
 * - `finished`: the handler succeeded and the delivery was finished;
 * - `acknowledged`: the handler succeeded, having acknowledged it itself;
 * - `requeued` / `dead-lettered` / `ignored`: the handler failed and `delivery.fail` did that.
 *
 * @example
 * ```ts
 * import type { HandledDelivery } from 'rxmini';
 * const isRetry = (h: HandledDelivery) => h.outcome === 'requeued';
 * ```
 */
export interface HandledDelivery<I = unknown> {
  readonly delivery: Delivery<I>;
  readonly outcome: 'finished' | 'acknowledged' | FailOutcome;
  /** What the handler threw, when it failed. */
  readonly error?: unknown;
}

const toObservable = (result: ReturnType<DeliveryHandler>): Observable<unknown> =>
  isObservable(result) ? result : isPromiseLike(result) ? from(result) : of(undefined);

/**
 * Runs `handler` on every delivery, inside the handler wrappers attached to it
 * (`wrapHandlers`, `bus.use(handlerMiddleware(…))`, through
 * `delivery.wrapHandler`) and `options.middleware`. When the handler returns
 * (or resolves, or completes) the delivery is finished, unless it acknowledged
 * it itself; when it throws (or rejects, or errors) `delivery.fail(error)` runs
 * the failure handlers attached upstream (`retryWithBackoff`, `deadLetter`, the
 * transport's `retry` option): requeue with backoff, or dead-letter after
 * `maxAttempts`. Emits one
 * {@link HandledDelivery} per delivery.
 *
 * One failing delivery never ends the stream: even a failure of the middleware
 * or of an acknowledgement is contained (reported as a panic, see
 * `recoverWithContext`) and the next delivery is handled. Errors and completion
 * of the source propagate; unsubscribing stops waiting for running handlers
 * (their deliveries stay unacknowledged, and the broker redelivers them). A
 * value that is not a delivery (an object spread `{ ...delivery }` has lost
 * its acknowledgements) errors the stream at once with a `NotADeliveryError`.
 *
 * @param handler - processes one delivery: a value, a promise or an Observable.
 * @example
 * ```ts
 * import { handleDeliveries } from 'rxmini';
 * bus.subscribeTopic('orders.created')
 *   .pipe(handleDeliveries(async (d) => save(d.message.body), { concurrency: 8 }))
 *   .subscribe(({ outcome, delivery }) => metrics.inc(`orders.${outcome}`));
 * ```
 * @see {@link Delivery.fail}
 */
export const handleDeliveries = <I = unknown>(
  handler: DeliveryHandler<I>,
  options: HandleDeliveriesOptions = {},
): OperatorFunction<Delivery<I>, HandledDelivery<I>> => {
  if (typeof handler !== 'function') throw new TypeError('handleDeliveries needs a handler function');
  const inner = (
    options.middleware?.length ? composeHandler(options.middleware, handler as DeliveryHandler) : handler
  ) as DeliveryHandler<I>;
  const label = options.label ?? 'handleDeliveries';

  // one Observable per delivery instead of defer/reduce/map/catchError: the same outcomes (a
  // synchronous throw, an error, or a throw downstream of the result all go to `fail`), fewer layers
  const handle = (delivery: Delivery<I>): Observable<HandledDelivery<I>> =>
    new Observable<HandledDelivery<I>>((subscriber) => {
      let failing: Subscription | undefined;
      const onError = (error: unknown): void => {
        failing = from(delivery.fail(error))
          .pipe(map((outcome): HandledDelivery<I> => ({ delivery, outcome, error })))
          .subscribe(subscriber);
      };
      const onDone = (): void => {
        try {
          subscriber.next({ delivery, outcome: delivery.finish() ? 'finished' : 'acknowledged' });
        } catch (error) {
          onError(error);
          return;
        }
        subscriber.complete();
      };
      let result: ReturnType<DeliveryHandler>;
      try {
        result = delivery.wrapHandler(inner)(delivery);
      } catch (error) {
        onError(error);
        return () => failing?.unsubscribe();
      }
      if (!isObservable(result) && isPromiseLike(result)) {
        // bus.respond / bus.publish that the broker answered at once: acknowledged now, in virtual time too
        const known = knownOutcome(result);
        if (known) {
          if (known.ok) onDone();
          else onError(known.error);
          return () => failing?.unsubscribe();
        }
        // a promise (what most handlers return) is awaited directly, without an Observable around it
        let active = true;
        result.then(
          () => active && onDone(),
          (error: unknown) => active && onError(error),
        );
        return () => {
          active = false;
          failing?.unsubscribe();
        };
      }
      const handling = toObservable(result).subscribe({ error: onError, complete: onDone });
      return () => {
        handling.unsubscribe();
        failing?.unsubscribe();
      };
    });

  // a spread copy ({ ...delivery }) cannot be acknowledged: refused at once, not handled
  return pipe(
    map((delivery: Delivery<I>) => asDelivery(delivery, label)),
    recoverWithContext<Delivery<I>, HandledDelivery<I>>({
      label,
      process: handle,
      concurrency: options.concurrency ?? Infinity,
      context: (delivery) => ({
        topic: delivery.topic,
        id: delivery.id,
        contextID: delivery.message.contextID,
      }),
      ...(options.logger === undefined ? {} : { logger: options.logger }),
    }),
  );
};
