/**
 * Keeps unacknowledged deliveries alive: one sweep on the scheduler touches
 * every delivery that has gone half of nsqd's message timeout without a touch,
 * up to nsqd's hard cap (`max_msg_timeout` after delivery).
 *
 * One timer per consumer rather than one per message: a consumer with thousands
 * of messages in flight would otherwise create and clear a timer per message.
 *
 * @packageDocumentation
 */
import { interval, type SchedulerLike, type Subscription } from 'rxjs';

/** One delivery watched by an {@link AutoToucher}. */
export interface TouchEntry {
  /** The delivery; its `touch()` returns false once it is acknowledged. */
  readonly target: { touch(): boolean };
  /** nsqd's message timeout for this delivery, in ms. */
  readonly timeoutMs: number;
  /** nsqd's hard cap after delivery, in ms: touching past it is useless. */
  readonly maxTimeoutMs: number;
  /** Scheduler time of the delivery. */
  readonly receivedAt: number;
  /** Scheduler time of the last touch (or of the delivery). */
  lastTouchedAt: number;
}

/** Watches pending deliveries and touches them in time. */
export interface AutoToucher {
  /** Starts watching `entry`. */
  add(entry: TouchEntry): void;
  /** Stops watching `entry` (acknowledged). */
  remove(entry: TouchEntry): void;
  /** Records a touch made by the user, so the next one waits a full half-timeout. */
  touched(entry: TouchEntry): void;
  /** Entries watched. */
  readonly size: number;
  /** Stops the sweep and forgets every entry. */
  stop(): void;
}

/**
 * Creates an {@link AutoToucher}. A delivery is touched once `timeoutMs / 2`
 * has passed since its last touch; the sweep runs every `timeoutMs / 4` (of the
 * smallest timeout seen), so each touch lands between half and three quarters
 * of the timeout.
 */
export const createAutoToucher = (scheduler: SchedulerLike): AutoToucher => {
  const entries = new Set<TouchEntry>();
  let sweep: Subscription | undefined;
  let periodMs = Infinity;

  const run = (): void => {
    const now = scheduler.now();
    for (const entry of entries) {
      if (now - entry.receivedAt >= entry.maxTimeoutMs) {
        entries.delete(entry);
        continue;
      }
      if (now - entry.lastTouchedAt >= entry.timeoutMs / 2) {
        // touch() reports back through touched(), which resets lastTouchedAt
        if (!entry.target.touch()) entries.delete(entry);
      }
    }
  };

  return {
    add(entry) {
      entries.add(entry);
      const wanted = Math.max(1, Math.floor(entry.timeoutMs / 4));
      if (wanted < periodMs) {
        periodMs = wanted;
        sweep?.unsubscribe();
        sweep = interval(periodMs, scheduler).subscribe(run);
      }
    },
    remove(entry) {
      entries.delete(entry);
    },
    touched(entry) {
      entry.lastTouchedAt = scheduler.now();
    },
    get size() {
      return entries.size;
    },
    stop() {
      sweep?.unsubscribe();
      sweep = undefined;
      periodMs = Infinity;
      entries.clear();
    },
  };
};
