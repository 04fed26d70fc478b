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
  /**
   * Counts `n` more (default 1), without a function to give back: for callers
   * that keep their own count and give it back with {@link InFlight.leave}.
   */
  enter(n?: number): void;
  /** Counts `n` done (default 1); never below zero. */
  leave(n?: number): void;
  /** Emits once and completes when nothing is in flight (at once if nothing is). */
  idle(): Observable<void>;
}

/**
 * A new {@link InFlight} counter.
 */
export const createInFlight = (): InFlight => {
  let count = 0;
  const waiters = new Set<() => void>();
  const leave = (n = 1): void => {
    if (n <= 0 || count === 0) return;
    count = Math.max(0, count - n);
    if (count === 0) for (const waiter of [...waiters]) waiter();
  };
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
        leave(1);
      };
    },
    enter(n = 1) {
      if (n > 0) count += n;
    },
    leave,
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
