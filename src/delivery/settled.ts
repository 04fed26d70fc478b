/**
 * Promises whose outcome is known when they are made: what `bus.publish` and
 * `bus.respond` return when the broker took (or refused) the message at once,
 * as the memory broker does. `handleDeliveries` and `deadLetter` read that
 * outcome instead of waiting for a microtask, so a handler written
 * `(d) => bus.respond(d.message, result)` finishes its delivery in the same
 * frame, in virtual time too (a `TestScheduler` flush never yields to
 * microtasks).
 *
 * @packageDocumentation
 */
import { isObservable as rxjsIsObservable, type Observable } from 'rxjs';

/** How a promise made by {@link promiseOf} settled, when it had settled already. */
export type KnownOutcome = { readonly ok: true } | { readonly ok: false; readonly error: unknown };

const OUTCOME = Symbol('rxmini.knownOutcome');
const OK: KnownOutcome = Object.freeze({ ok: true });

type Tagged = Promise<void> & { readonly [OUTCOME]?: KnownOutcome };

/**
 * A promise of the first value (or the completion) of `source`, subscribed at
 * once, like `firstValueFrom(source, { defaultValue: undefined })`. When
 * `source` settles during the subscribe, the promise carries that outcome for
 * {@link knownOutcome}.
 */
export const promiseOf = (source: Observable<unknown>): Promise<void> => {
  let outcome: KnownOutcome | undefined;
  let settle: ((settled: KnownOutcome) => void) | undefined;
  const onSettled = (settled: KnownOutcome): void => {
    if (outcome) return;
    outcome = settled;
    settle?.(settled);
  };
  const subscription = source.subscribe({
    next: () => onSettled(OK),
    error: (error: unknown) => onSettled({ ok: false, error }),
    complete: () => onSettled(OK),
  });
  if (outcome) {
    subscription.unsubscribe();
    const known = outcome;
    const promise = known.ok ? Promise.resolve() : Promise.reject(known.error);
    return Object.defineProperty(promise, OUTCOME, { value: known });
  }
  return new Promise<void>((resolve, reject) => {
    settle = (settled) => {
      subscription.unsubscribe();
      if (settled.ok) resolve();
      else reject(settled.error);
    };
  });
};

/**
 * The outcome of a promise made by {@link promiseOf} that had settled when it
 * was made; `undefined` for any other value. A rejected one is marked handled,
 * as the caller handles it.
 */
export const knownOutcome = (value: PromiseLike<unknown>): KnownOutcome | undefined => {
  const known = (value as Tagged)[OUTCOME];
  if (known !== undefined && !known.ok) (value as Tagged).catch(() => undefined);
  return known;
};

/**
 * rxjs' `isObservable`, read once. In the CommonJS build each call of a
 * function imported from `rxjs` first runs the getter that re-exports it:
 * handlers' results are looked at with this one, on every call (bench
 * `services`, docs/benchmarks.md).
 */
export const isObservable: (value: unknown) => value is Observable<unknown> = rxjsIsObservable;

/** True for a promise or any thenable. */
export const isPromiseLike = (value: unknown): value is PromiseLike<unknown> =>
  (typeof value === 'object' || typeof value === 'function') &&
  value !== null &&
  typeof (value as { then?: unknown }).then === 'function';
