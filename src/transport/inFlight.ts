/**
 * Counts the deliveries a transport has taken and not yet acknowledged, so
 * `close()` can wait for them.
 *
 * @packageDocumentation
 */
import { Observable } from 'rxjs';

/** A counter of work in flight that can tell when it drops to zero. */
export interface InFlight {
  /** Work in flight now. */
  readonly count: number;
  /** Counts one more; the returned function counts it done (only the first call counts). */
  start(): () => void;
  /** Emits once and completes when nothing is in flight (at once if nothing is). */
  idle(): Observable<void>;
}

/**
 * A new {@link InFlight} counter.
 *
 * @example
 * ```ts
 * const inFlight = createInFlight();
 * const done = inFlight.start();
 * inFlight.idle().subscribe(() => log.info('drained'));
 * done(); // logs 'drained'
 * ```
 */
export const createInFlight = (): InFlight => {
  let count = 0;
  const waiters = new Set<() => void>();
  return {
    get count() {
      return count;
    },
    start() {
      count += 1;
      let counted = true;
      return () => {
        if (!counted) return;
        counted = false;
        count -= 1;
        if (count === 0) for (const waiter of [...waiters]) waiter();
      };
    },
    idle() {
      return new Observable<void>((subscriber) => {
        const done = (): void => {
          subscriber.next();
          subscriber.complete();
        };
        if (count === 0) {
          done();
          return undefined;
        }
        waiters.add(done);
        return () => {
          waiters.delete(done);
        };
      });
    },
  };
};
