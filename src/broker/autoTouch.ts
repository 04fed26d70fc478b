/**
 * Keeps unacknowledged deliveries alive: one sweep on the scheduler touches
 * every delivery that has gone half of nsqd's message timeout without a touch,
 * up to nsqd's hard cap (`max_msg_timeout` after delivery).
 *
 * One timer per consumer rather than one per message: a consumer with thousands
 * of messages in flight would otherwise create and clear a timer per message.
 * The timer stops at the first sweep that finds nothing to watch and starts
 * again with the next entry, so a busy consumer does not start and stop one
 * for every message, and an idle one holds none.
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
  /** The toucher's list links (set by the toucher only). */
  touchPrev?: TouchEntry | undefined;
  touchNext?: TouchEntry | undefined;
  touchOwner?: object | undefined;
}

/** Watches pending deliveries and touches them in time. */
export interface AutoToucher<E extends TouchEntry = TouchEntry> {
  /** Starts watching `entry`. */
  add(entry: E): void;
  /** Stops watching `entry` (acknowledged). A no-op for an entry not watched. */
  remove(entry: E): void;
  /** Records a touch made by the user, so the next one waits a full half-timeout. */
  touched(entry: E): void;
  /** Entries watched. */
  readonly size: number;
  /** The entries watched, oldest touch first. */
  entries(): E[];
  /** Stops the sweep and forgets every entry. */
  stop(): void;
}

/** Options of {@link createAutoToucher}. */
export interface AutoToucherOptions {
  /** Touch at all; when false the toucher only keeps the list of pending entries. Default true. */
  readonly sweep?: boolean;
}

/**
 * Creates an {@link AutoToucher}. A delivery is touched once `timeoutMs / 2`
 * has passed since its last touch; the sweep runs every `timeoutMs / 4` (of the
 * smallest timeout seen), so each touch lands between half and three quarters
 * of the timeout.
 *
 * O(1) per delivery: entries sit in an intrusive list ordered by last touch
 * (a touch moves its entry to the end), so adding, removing and touching
 * allocate nothing, and a sweep stops at the first entry touched too recently.
 */
export const createAutoToucher = <E extends TouchEntry = TouchEntry>(
  scheduler: SchedulerLike,
  options: AutoToucherOptions = {},
): AutoToucher<E> => {
  const sweeping = options.sweep ?? true;
  const owner = {};
  let head: TouchEntry | undefined;
  let tail: TouchEntry | undefined;
  let count = 0;
  let sweep: Subscription | undefined;
  let periodMs = Infinity;
  let minTimeoutMs = Infinity;

  const unlink = (entry: TouchEntry): void => {
    const { touchPrev: prev, touchNext: next } = entry;
    if (prev) prev.touchNext = next;
    else head = next;
    if (next) next.touchPrev = prev;
    else tail = prev;
    entry.touchPrev = undefined;
    entry.touchNext = undefined;
    entry.touchOwner = undefined;
    count -= 1;
  };

  /** Links `entry` in last-touch order: at the end, unless a caller gave an earlier time. */
  const link = (entry: TouchEntry): void => {
    let after = tail;
    while (after && after.lastTouchedAt > entry.lastTouchedAt) after = after.touchPrev;
    const before = after ? after.touchNext : head;
    entry.touchPrev = after;
    entry.touchNext = before;
    if (after) after.touchNext = entry;
    else head = entry;
    if (before) before.touchPrev = entry;
    else tail = entry;
    entry.touchOwner = owner;
    count += 1;
  };

  const run = (): void => {
    const now = scheduler.now();
    // entries touched during this sweep move past `last`: each is visited once
    const last = tail;
    let entry = head;
    while (entry) {
      // later entries were touched later still: none of them is due
      if (now - entry.lastTouchedAt < minTimeoutMs / 2) break;
      const next = entry.touchNext;
      if (now - entry.receivedAt >= entry.maxTimeoutMs) {
        unlink(entry);
      } else if (now - entry.lastTouchedAt >= entry.timeoutMs / 2) {
        // touch() reports back through touched(), which moves the entry to the end
        if (!entry.target.touch() && entry.touchOwner === owner) unlink(entry);
      }
      if (entry === last) break;
      entry = next;
    }
    // nothing left to watch: no timer until the next add (an idle consumer keeps no process alive)
    if (count === 0) stopSweep();
  };

  const stopSweep = (): void => {
    sweep?.unsubscribe();
    sweep = undefined;
    periodMs = Infinity;
    minTimeoutMs = Infinity;
  };

  return {
    add(entry) {
      if (entry.touchOwner === owner) return;
      link(entry);
      if (!sweeping) return;
      minTimeoutMs = Math.min(minTimeoutMs, entry.timeoutMs);
      const wanted = Math.max(1, Math.floor(entry.timeoutMs / 4));
      if (wanted < periodMs) {
        periodMs = wanted;
        sweep?.unsubscribe();
        sweep = interval(periodMs, scheduler).subscribe(run);
      }
    },
    remove(entry) {
      if (entry.touchOwner === owner) unlink(entry);
    },
    touched(entry) {
      entry.lastTouchedAt = scheduler.now();
      if (entry.touchOwner !== owner || entry === tail) return;
      unlink(entry);
      link(entry);
    },
    get size() {
      return count;
    },
    entries() {
      const all: E[] = [];
      // every linked entry was added through add(entry: E)
      for (let entry = head; entry; entry = entry.touchNext) all.push(entry as E);
      return all;
    },
    stop() {
      stopSweep();
      while (head) unlink(head);
    },
  };
};
