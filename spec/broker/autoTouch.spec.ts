import type { TestScheduler } from 'rxjs/testing';
import { testScheduler } from '../helpers/marbles.js';
import { createAutoToucher, type AutoToucher, type TouchEntry } from '../../src/broker/autoTouch.js';

/** A watched entry that records when it was touched, like a pending delivery does. */
const watch = (
  ts: TestScheduler,
  toucher: AutoToucher,
  timing: { timeoutMs: number; maxTimeoutMs: number },
  acknowledged = (): boolean => false,
): { entry: TouchEntry; touches: number[] } => {
  const touches: number[] = [];
  const entry: TouchEntry = {
    ...timing,
    receivedAt: ts.now(),
    lastTouchedAt: ts.now(),
    target: {
      touch: () => {
        if (acknowledged()) return false;
        touches.push(ts.now());
        toucher.touched(entry);
        return true;
      },
    },
  };
  toucher.add(entry);
  return { entry, touches };
};

describe('createAutoToucher', () => {
  it('touches a pending delivery at half its timeout, again after each touch', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const { touches } = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 });
      ts.schedule(() => toucher.stop(), 2_600);
      ts.flush();
      expect(touches).toEqual([500, 1000, 1500, 2000, 2500]);
    });
  });

  it('never lets a delivery reach its timeout untouched, whatever the start time', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const all: { start: number; touches: number[] }[] = [];
      for (const start of [0, 130, 260, 499, 777]) {
        ts.schedule(
          () =>
            all.push({
              start,
              touches: watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 }).touches,
            }),
          start,
        );
      }
      ts.schedule(() => toucher.stop(), 5_000);
      ts.flush();
      for (const { start, touches } of all) {
        let last = start;
        for (const at of touches) {
          expect(at - last)
            .withContext(`start ${start}`)
            .toBeGreaterThanOrEqual(500);
          expect(at - last)
            .withContext(`start ${start}`)
            .toBeLessThanOrEqual(750);
          last = at;
        }
        expect(touches.length).toBeGreaterThanOrEqual(5);
      }
    });
  });

  it('stops its timer at the first sweep with nothing to watch, and starts it again with the next entry', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const first = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 });
      ts.schedule(() => toucher.remove(first.entry), 100);
      let second: { entry: TouchEntry; touches: number[] } | undefined;
      ts.schedule(() => {
        second = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 });
      }, 3_000);
      ts.schedule(() => second && toucher.remove(second.entry), 4_100);
      // no stop(): a timer still running would be left in the queue at the frame limit
      ts.maxFrames = 60_000;
      ts.flush();
      expect(ts.actions.length).withContext('actions left in the queue').toBe(0);
      expect(first.touches).toEqual([]);
      expect(second?.touches).toEqual([3_500, 4_000]);
      expect(toucher.size).toBe(0);
    });
  });

  it('stops touching once acknowledged or removed', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      let acked = false;
      const first = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 }, () => acked);
      const second = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 });
      ts.schedule(() => (acked = true), 700);
      ts.schedule(() => toucher.remove(second.entry), 700);
      ts.schedule(() => toucher.stop(), 5_000);
      ts.flush();
      expect(first.touches).toEqual([500]);
      expect(second.touches).toEqual([500]);
      expect(toucher.size).toBe(0);
    });
  });

  it('gives up at the hard cap after delivery', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const { touches } = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 2000 });
      ts.schedule(() => toucher.stop(), 10_000);
      ts.schedule(() => expect(toucher.size).toBe(0), 2_100);
      ts.flush();
      expect(touches).toEqual([500, 1000, 1500]);
    });
  });

  it('waits a full half-timeout after a touch made by the user', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const { entry, touches } = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 });
      ts.schedule(() => toucher.touched(entry), 400);
      ts.schedule(() => toucher.stop(), 1_100);
      ts.flush();
      expect(touches).toEqual([1000]);
    });
  });

  it('sweeps faster when a delivery with a shorter timeout arrives', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const slow = watch(ts, toucher, { timeoutMs: 60_000, maxTimeoutMs: 600_000 });
      const fast = watch(ts, toucher, { timeoutMs: 200, maxTimeoutMs: 600_000 });
      ts.schedule(() => toucher.stop(), 450);
      ts.flush();
      expect(fast.touches).toEqual([100, 200, 300, 400]);
      expect(slow.touches).toEqual([]);
    });
  });

  it('lists the entries watched, oldest touch first; removing one not watched is a no-op', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const timing = { timeoutMs: 1000, maxTimeoutMs: 60_000 };
      const a = watch(ts, toucher, timing);
      let b: TouchEntry | undefined;
      let c: TouchEntry | undefined;
      ts.schedule(() => (b = watch(ts, toucher, timing).entry), 100);
      ts.schedule(() => (c = watch(ts, toucher, timing).entry), 200);
      ts.schedule(() => {
        expect(toucher.entries()).toEqual([a.entry, b as TouchEntry, c as TouchEntry]);
        toucher.touched(a.entry);
        expect(toucher.entries()).toEqual([b as TouchEntry, c as TouchEntry, a.entry]);
        toucher.remove(c as TouchEntry);
        toucher.remove(c as TouchEntry);
        expect(toucher.entries()).toEqual([b as TouchEntry, a.entry]);
        expect(toucher.size).toBe(2);
        toucher.stop();
        expect(toucher.entries()).toEqual([]);
        expect(toucher.size).toBe(0);
      }, 300);
      ts.flush();
    });
  });

  it('with sweep: false keeps the list of pending entries and never touches', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts, { sweep: false });
      const { entry, touches } = watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 2000 });
      ts.schedule(() => {
        expect(toucher.entries()).toEqual([entry]);
        toucher.stop();
      }, 5_000);
      ts.flush();
      expect(touches).toEqual([]);
    });
  });

  it('touches each due entry once per sweep, among many, and keeps them in order', () => {
    const ts = testScheduler();
    ts.run(() => {
      const toucher = createAutoToucher(ts);
      const watched = Array.from({ length: 1000 }, () =>
        watch(ts, toucher, { timeoutMs: 1000, maxTimeoutMs: 60_000 }),
      );
      ts.schedule(() => toucher.stop(), 1_100);
      ts.flush();
      for (const { touches } of watched) expect(touches).toEqual([500, 1000]);
    });
  });
});
