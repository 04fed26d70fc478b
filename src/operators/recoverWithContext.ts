import {
  EMPTY,
  catchError,
  defer,
  from,
  isObservable,
  mergeMap,
  of,
  Observable,
  Subscription,
  type OperatorFunction,
} from 'rxjs';
import type { ILogger } from '../logger/types.js';
import { reportPanic } from '../recover/panicHook.js';
import type { PanicContext, PanicReport } from '../recover/types.js';
import { isPromiseLike } from '../delivery/settled.js';

/**
 * What processing one item may return: an Observable (all its values are
 * emitted), a promise or thenable (its value is emitted), or a plain value
 * (emitted as it is — an array or a string is ONE value here, not a sequence).
 *
 * @example
 * ```ts
 * import type { ProcessResult } from 'rxmini';
 * const fromPromise: ProcessResult<number> = Promise.resolve(1);
 * ```
 */
export type ProcessResult<R> = R | PromiseLike<R> | Observable<R>;

/** Options common to both forms of {@link recoverWithContext}. */
export interface RecoverWithContextBaseOptions<T, R> {
  /** Names the failures in reports, logs and `PanicError.message`. */
  readonly label: string;
  /**
   * Facts about the failed item to report and log (a context id, a topic, …).
   * Called only when processing that item fails. If it throws, the report
   * still goes out, with `{ contextError }` as its context.
   */
  readonly context?: (item: T) => PanicContext;
  /** Logs failures instead of the logger set by `setRecoverLogger`. */
  readonly logger?: ILogger;
  /** How many items are processed at once (as `mergeMap`); default `Infinity`, `1` keeps order. */
  readonly concurrency?: number;
  /**
   * What to emit in place of a failed item's output (e.g. an error result, or
   * `EMPTY` after `delivery.requeue()`). Without it the failed item emits
   * nothing more. If it fails too, that is reported under `<label>.fallback`
   * and the item emits nothing more.
   */
  readonly fallback?: (item: T, report: PanicReport) => ProcessResult<R>;
}

/** {@link recoverWithContext} with a function that processes one item. */
export interface RecoverWithProcessOptions<T, R> extends RecoverWithContextBaseOptions<T, R> {
  /** Processes one item; may throw, reject or return an erroring Observable. */
  readonly process: (item: T, index: number) => ProcessResult<R>;
  readonly operator?: never;
}

/** {@link recoverWithContext} with an operator chain run on each item alone. */
export interface RecoverWithOperatorOptions<T, R> extends RecoverWithContextBaseOptions<T, R> {
  /**
   * Applied to a one-item Observable per item, so a failure ends only that
   * item's run. Stateful operators (`scan`, `distinct`, …) therefore start afresh
   * for every item.
   */
  readonly operator: OperatorFunction<T, R>;
  readonly process?: never;
}

/** Options of {@link recoverWithContext}: a `process` function or an `operator` chain. */
export type RecoverWithContextOptions<T, R> =
  RecoverWithProcessOptions<T, R> | RecoverWithOperatorOptions<T, R>;

const toObservable = <R>(result: ProcessResult<R>): Observable<R> =>
  isObservable(result) ? result : isPromiseLike(result) ? from(result) : of(result);

const runnerOf = <T, R>(
  options: RecoverWithContextOptions<T, R>,
): ((item: T, index: number) => Observable<R>) => {
  if (options.operator !== undefined) {
    const operator = options.operator;
    return (item) => of(item).pipe(operator);
  }
  const process = options.process;
  if (typeof process !== 'function') {
    throw new TypeError('recoverWithContext needs a `process` function or an `operator`');
  }
  return (item, index) => toObservable(process(item, index));
};

/**
 * Processes every item in isolation, so one bad message never kills the stream:
 * when processing an item throws, rejects or errors, the failure is logged with
 * the item's context and handed to the panic hooks (`onPanic`, `panics$`), and
 * the stream goes on with the next item. The failed item emits nothing more (or
 * what `fallback` returns); what it emitted before failing stays emitted.
 *
 * An error of the source itself is NOT a per-item failure: it propagates, as
 * does completion (after in-flight items finish). Unsubscribing tears down the
 * in-flight processing of every item.
 *
 * @param options - `label`, `process` or `operator`, and optionally `context`,
 *   `logger`, `concurrency`, `fallback`.
 * @example
 * ```ts
 * import { map, mergeMap, pipe } from 'rxjs';
 * import { recoverWithContext } from 'rxmini';
 * const deliveries$ = bus.subscribeTopic('orders.created');
 * deliveries$.pipe(
 *   recoverWithContext({
 *     label: 'orders',
 *     process: (d) => save(d.message.body), // a value, a promise or an Observable
 *     context: (d) => ({ contextID: d.message.contextID, topic: d.topic }),
 *     logger: log,
 *   }),
 * ).subscribe();
 *
 * // or isolate an operator chain per item:
 * deliveries$.pipe(
 *   recoverWithContext({ label: 'orders', operator: pipe(map((d) => d.message.body), mergeMap(save)) }),
 * );
 * ```
 * @see {@link onPanic}
 */
export const recoverWithContext = <T, R>(
  options: RecoverWithContextOptions<T, R>,
): OperatorFunction<T, R> => {
  const { label, logger, concurrency = Infinity, fallback } = options;
  const run = runnerOf(options);

  const contextOf = (item: T): PanicContext | undefined => {
    if (options.context === undefined) return undefined;
    try {
      return options.context(item);
    } catch (e) {
      return { contextError: e instanceof Error ? e.message : String(e) };
    }
  };

  const recoverItem = (item: T) => (error: unknown) => {
    const context = contextOf(item);
    const report = reportPanic(label, error, context === undefined ? { logger } : { logger, context });
    if (fallback === undefined) return EMPTY;
    return defer(() => toObservable(fallback(item, report))).pipe(
      catchError((fallbackError: unknown) => {
        reportPanic(
          `${label}.fallback`,
          fallbackError,
          context === undefined ? { logger } : { logger, context },
        );
        return EMPTY;
      }),
    );
  };

  // what defer(run).pipe(catchError(recoverItem)) does, in one Observable: it runs for every item
  const guarded = (item: T, index: number): Observable<R> =>
    new Observable<R>((subscriber) => {
      const subscriptions = new Subscription();
      const recover = (error: unknown): void => {
        subscriptions.add(recoverItem(item)(error).subscribe(subscriber));
      };
      let processed: Observable<R>;
      try {
        processed = run(item, index);
      } catch (error) {
        recover(error);
        return subscriptions;
      }
      subscriptions.add(
        processed.subscribe({
          next: (value) => subscriber.next(value),
          error: recover,
          complete: () => subscriber.complete(),
        }),
      );
      return subscriptions;
    });

  return (source) => source.pipe(mergeMap(guarded, concurrency));
};
