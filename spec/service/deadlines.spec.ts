import { createDeadlines, type Expiring } from '../../src/service/deadlines';
import { testScheduler } from '../helpers/marbles';

/** An entry that writes when it expired (virtual ms) into `log`. */
const entry = (name: string, log: string[], now: () => number): Expiring => ({
  deadlineAt: 0,
  prevExpiring: undefined,
  nextExpiring: undefined,
  lane: undefined,
  expire: () => log.push(`${name}@${now()}`),
});

describe('service/deadlines', () => {
  it('expires each entry at its own deadline, across timeouts, in deadline order', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    const deadlines = createDeadlines(scheduler);
    const now = (): number => scheduler.now();
    deadlines.add(entry('a100', log, now), 100);
    deadlines.add(entry('b30', log, now), 30);
    deadlines.add(entry('c100', log, now), 100);
    scheduler.schedule(() => deadlines.add(entry('d30', log, now), 30), 50);
    expect(deadlines.size).toBe(3);
    scheduler.flush();
    expect(log).toEqual(['b30@30', 'd30@80', 'a100@100', 'c100@100']);
    expect(deadlines.size).toBe(0);
  });

  it('never expires an entry taken out', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    const deadlines = createDeadlines(scheduler);
    const now = (): number => scheduler.now();
    const a = entry('a', log, now);
    const b = entry('b', log, now);
    const c = entry('c', log, now);
    deadlines.add(a, 100);
    deadlines.add(b, 100);
    deadlines.add(c, 100);
    scheduler.schedule(() => {
      deadlines.remove(a); // the head
      deadlines.remove(c); // the tail
      deadlines.remove(c); // twice: harmless
    }, 10);
    scheduler.flush();
    expect(log).toEqual(['b@100']);
    expect(deadlines.size).toBe(0);
  });

  it('leaves nothing scheduled once every entry is taken out (no timer keeps a process waiting)', () => {
    const scheduler = testScheduler();
    const deadlines = createDeadlines(scheduler);
    const log: string[] = [];
    const a = entry('a', log, () => scheduler.now());
    deadlines.add(a, 15_000);
    expect(scheduler.actions.length).toBe(1);
    deadlines.remove(a);
    expect(scheduler.actions.length).toBe(0);
    scheduler.flush();
    expect(log).toEqual([]);
  });

  it('counts from `startedAt` and keeps a lane in deadline order when an entry started earlier', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    const deadlines = createDeadlines(scheduler);
    const now = (): number => scheduler.now();
    scheduler.schedule(() => {
      // at 20: one that started now, then one that started at 5 (added late: answered in its own frame first)
      deadlines.add(entry('late-start', log, now), 100);
      deadlines.add(entry('early-start', log, now), 100, 5);
    }, 20);
    scheduler.flush();
    expect(log).toEqual(['early-start@105', 'late-start@120']);
  });

  it('lets an entry expiring add another one', () => {
    const scheduler = testScheduler();
    const log: string[] = [];
    const deadlines = createDeadlines(scheduler);
    const now = (): number => scheduler.now();
    const first: Expiring = {
      ...entry('first', log, now),
      expire: () => {
        log.push(`first@${now()}`);
        deadlines.add(entry('second', log, now), 10);
      },
    };
    deadlines.add(first, 10);
    scheduler.flush();
    expect(log).toEqual(['first@10', 'second@20']);
  });
});
