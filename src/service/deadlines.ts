/**
 * Timeouts of many calls on one timer: what a timer per call would do, at the
 * cost of a list append and unlink per call.
 *
 * @packageDocumentation
 */
import type { SchedulerLike, Subscription } from 'rxjs';

/**
 * Something that expires at `deadlineAt` unless taken out first. It is its
 * own list node (a call makes no other object to be timed out).
 */
export interface Expiring {
  deadlineAt: number;
  /** Neighbours in its lane, and the lane it is in (`undefined` when in none). */
  prevExpiring: Expiring | undefined;
  nextExpiring: Expiring | undefined;
  lane: Lane | undefined;
  /** Called once, at the deadline, after it is taken out. */
  expire(): void;
}

/** The entries of one timeout, oldest first: their deadlines ascend as they were added. */
export interface Lane {
  readonly timeoutMs: number;
  head: Expiring | undefined;
  tail: Expiring | undefined;
}

/** {@link createDeadlines}'s result. */
export interface Deadlines {
  /** Expires `entry` `timeoutMs` after `startedAt` (default now) on `scheduler`'s clock. */
  add(entry: Expiring, timeoutMs: number, startedAt?: number): void;
  /** Takes `entry` out: it will not expire. Harmless for an entry in no lane. */
  remove(entry: Expiring): void;
  /** Entries waiting. */
  readonly size: number;
}

/**
 * Deadlines on one scheduled action at a time, set for the earliest deadline.
 * Entries of one timeout (most calls share one) expire in the order added, so
 * each timeout keeps a linked list and only its head is looked at; an entry
 * taken out early costs an unlink. In virtual time an entry expires in the
 * frame its own timer would have fired.
 */
export const createDeadlines = (scheduler: SchedulerLike): Deadlines => {
  const lanes = new Map<number, Lane>();
  let size = 0;
  let timer: Subscription | undefined;
  let timerAt = Infinity;

  const unlink = (entry: Expiring, lane: Lane): void => {
    const { prevExpiring: prev, nextExpiring: next } = entry;
    if (prev === undefined) lane.head = next;
    else prev.nextExpiring = next;
    if (next === undefined) lane.tail = prev;
    else next.prevExpiring = prev;
    entry.prevExpiring = undefined;
    entry.nextExpiring = undefined;
    entry.lane = undefined;
    size -= 1;
  };

  const arm = (at: number): void => {
    timer?.unsubscribe();
    timerAt = at;
    timer = scheduler.schedule(fire, Math.max(0, at - scheduler.now()));
  };

  const fire = (): void => {
    timer = undefined;
    timerAt = Infinity;
    const now = scheduler.now();
    const expired: Expiring[] = [];
    for (const lane of lanes.values()) {
      for (let entry = lane.head; entry !== undefined && entry.deadlineAt <= now; entry = lane.head) {
        unlink(entry, lane);
        expired.push(entry);
      }
    }
    let earliest = Infinity;
    for (const [timeoutMs, lane] of lanes) {
      if (lane.head === undefined) lanes.delete(timeoutMs);
      else earliest = Math.min(earliest, lane.head.deadlineAt);
    }
    if (earliest < timerAt) arm(earliest);
    for (const entry of expired) entry.expire();
  };

  return {
    add(entry, timeoutMs, startedAt = scheduler.now()) {
      const deadlineAt = startedAt + timeoutMs;
      let lane = lanes.get(timeoutMs);
      if (lane === undefined) {
        lane = { timeoutMs, head: undefined, tail: undefined };
        lanes.set(timeoutMs, lane);
      }
      entry.deadlineAt = deadlineAt;
      entry.lane = lane;
      // after the last entry due no later (almost always the tail: entries come in the order they start)
      let before = lane.tail;
      while (before !== undefined && before.deadlineAt > deadlineAt) before = before.prevExpiring;
      const after = before === undefined ? lane.head : before.nextExpiring;
      entry.prevExpiring = before;
      entry.nextExpiring = after;
      if (before === undefined) lane.head = entry;
      else before.nextExpiring = entry;
      if (after === undefined) lane.tail = entry;
      else after.prevExpiring = entry;
      size += 1;
      if (deadlineAt < timerAt) arm(deadlineAt);
    },
    remove(entry) {
      const lane = entry.lane;
      if (lane === undefined) return;
      unlink(entry, lane);
      if (size === 0) {
        // nothing left to time: no timer keeps the process (or a virtual-time run) waiting
        timer?.unsubscribe();
        timer = undefined;
        timerAt = Infinity;
        lanes.clear();
      }
    },
    get size() {
      return size;
    },
  };
};
