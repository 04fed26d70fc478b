import { Observable, type OperatorFunction, type Subscription } from 'rxjs';
import type { ILogger } from '../logger/types.js';
import { asDelivery } from '../delivery/delivery.js';
import { composeHandler } from '../delivery/composeHandler.js';
import { isObservable, isPromiseLike, knownOutcome } from '../delivery/settled.js';
import type { Delivery, DeliveryHandler, FailOutcome, HandlerWrapper } from '../delivery/types.js';
import { reportPanic } from '../recover/panicHook.js';
import type { PanicContext } from '../recover/types.js';
import { acceptsStep, type DeliveryStep } from './fuse.js';

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
  /**
   * Emit a {@link HandledDelivery} per delivery; default true. False emits
   * nothing (each delivery is still finished or failed, and errors and
   * completion still pass): for a pipe whose values nobody reads, such as a
   * service's, where making them cost 5 % of an in-process call (bench
   * `services`, docs/benchmarks.md).
   */
  readonly outcomes?: boolean;
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
  const operator = handleAfter(handler, options, undefined);
  // fuseDeliveries runs the step operators before it in its subscriber (see fuse.ts)
  return acceptsStep(
    operator as unknown as OperatorFunction<Delivery, HandledDelivery>,
    (step) => handleAfter(handler, options, step) as unknown as OperatorFunction<Delivery, HandledDelivery>,
  ) as unknown as OperatorFunction<Delivery<I>, HandledDelivery<I>>;
};

/** {@link handleDeliveries}, running `before` on each delivery first (what the step operators before it would do). */
const handleAfter = <I>(
  handler: DeliveryHandler<I>,
  options: HandleDeliveriesOptions,
  before: DeliveryStep | undefined,
): OperatorFunction<Delivery<I>, HandledDelivery<I>> => {
  const inner = (
    options.middleware?.length ? composeHandler(options.middleware, handler as DeliveryHandler) : handler
  ) as DeliveryHandler<I>;
  const label = options.label ?? 'handleDeliveries';

  const contextOf = (delivery: Delivery<I>): PanicContext => ({
    topic: delivery.topic,
    id: delivery.id,
    contextID: delivery.message.contextID,
  });
  const panic = (error: unknown, delivery: Delivery<I>): void => {
    let context: PanicContext;
    try {
      context = contextOf(delivery);
    } catch (thrown) {
      context = { contextError: thrown instanceof Error ? thrown.message : String(thrown) };
    }
    reportPanic(
      label,
      error,
      options.logger === undefined ? { context } : { context, logger: options.logger },
    );
  };

  // one subscriber for the stream, no Observable per delivery: a handler's value or promise is
  // taken as it is (most handlers), only an Observable result is subscribed to
  return (deliveries) =>
    new Observable<HandledDelivery<I>>((subscriber) => {
      const concurrency = options.concurrency ?? Infinity;
      const outcomes = options.outcomes ?? true;
      /** Deliveries waiting for a free slot (only with a finite concurrency). */
      const waiting: Delivery<I>[] = [];
      /** Subscriptions to Observable results, and to nothing else. */
      const observing = new Set<Subscription>();
      let running = 0;
      let sourceDone = false;
      let closed = false;

      const emit = (handled: HandledDelivery<I>): void => {
        if (closed) return;
        try {
          subscriber.next(handled);
        } catch (error) {
          panic(error, handled.delivery);
        }
      };
      const release = (): void => {
        running -= 1;
        if (closed) return;
        const next = waiting.shift();
        if (next !== undefined) start(next);
        else if (sourceDone && running === 0) subscriber.complete();
      };
      const succeeded = (delivery: Delivery<I>): void => {
        let finished: boolean;
        try {
          finished = delivery.finish();
        } catch (error) {
          failed(delivery, error);
          return;
        }
        if (outcomes) emit({ delivery, outcome: finished ? 'finished' : 'acknowledged' });
        release();
      };
      const failed = (delivery: Delivery<I>, error: unknown): void => {
        let outcome: Promise<FailOutcome>;
        try {
          outcome = delivery.fail(error);
        } catch (thrown) {
          panic(thrown, delivery);
          release();
          return;
        }
        outcome.then(
          (settled) => {
            if (outcomes) emit({ delivery, outcome: settled, error });
            release();
          },
          (thrown: unknown) => {
            panic(thrown, delivery);
            release();
          },
        );
      };
      const start = (delivery: Delivery<I>): void => {
        running += 1;
        let result: ReturnType<DeliveryHandler>;
        try {
          result = delivery.wrapHandler(inner)(delivery);
        } catch (error) {
          failed(delivery, error);
          return;
        }
        // a handler that returned nothing has done its work: no Observable or promise to look for
        if (result === undefined) succeeded(delivery);
        else startedWith(delivery, result);
      };
      /** What {@link start} does with a handler's result (kept out of it, so that V8 inlines `start` into the intake). */
      const startedWith = (delivery: Delivery<I>, result: ReturnType<DeliveryHandler>): void => {
        if (isObservable(result)) {
          let done = false;
          let observed: Subscription | undefined = undefined;
          const end = (): void => {
            done = true;
            if (observed !== undefined) observing.delete(observed);
          };
          observed = result.subscribe({
            error: (error: unknown) => {
              end();
              if (!closed) failed(delivery, error);
            },
            complete: () => {
              end();
              if (!closed) succeeded(delivery);
            },
          });
          if (!done) observing.add(observed);
          return;
        }
        if (isPromiseLike(result)) {
          // bus.respond / bus.publish that the broker answered at once: acknowledged now, in virtual time too
          const known = knownOutcome(result);
          if (known === undefined) {
            result.then(
              () => !closed && succeeded(delivery),
              (error: unknown) => !closed && failed(delivery, error),
            );
          } else if (known.ok) succeeded(delivery);
          else failed(delivery, known.error);
          return;
        }
        succeeded(delivery);
      };

      const intake = deliveries.subscribe({
        next: (value) => {
          let delivery: Delivery<I>;
          try {
            let passed: Delivery | undefined = value as Delivery;
            if (before !== undefined) {
              passed = before(passed);
              if (passed === undefined) return;
            }
            // a spread copy ({ ...delivery }) cannot be acknowledged: refused at once, not handled
            delivery = asDelivery(passed as Delivery<I>, label);
          } catch (error) {
            subscriber.error(error);
            return;
          }
          if (running < concurrency) start(delivery);
          else waiting.push(delivery);
        },
        error: (error: unknown) => subscriber.error(error),
        complete: () => {
          sourceDone = true;
          if (running === 0 && waiting.length === 0) subscriber.complete();
        },
      });
      return () => {
        closed = true;
        intake.unsubscribe();
        waiting.length = 0;
        for (const observed of observing) observed.unsubscribe();
        observing.clear();
      };
    });
};
