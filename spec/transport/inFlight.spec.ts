import { createInFlight } from '../../src/transport/inFlight.js';

describe('transport/inFlight', () => {
  it('is idle at once when nothing is in flight', () => {
    const calls: string[] = [];
    createInFlight()
      .idle()
      .subscribe({ next: () => calls.push('idle'), complete: () => calls.push('complete') });
    expect(calls).toEqual(['idle', 'complete']);
  });

  it('becomes idle when the last piece of work is done, counting each done once', () => {
    const inFlight = createInFlight();
    const a = inFlight.start();
    const b = inFlight.start();
    let idle = 0;
    inFlight.idle().subscribe(() => (idle += 1));
    a();
    a();
    expect(inFlight.count).toBe(1);
    expect(idle).toBe(0);
    b();
    expect(inFlight.count).toBe(0);
    expect(idle).toBe(1);
  });

  it('forgets a waiter that unsubscribed', () => {
    const inFlight = createInFlight();
    const done = inFlight.start();
    let idle = 0;
    inFlight
      .idle()
      .subscribe(() => (idle += 1))
      .unsubscribe();
    done();
    expect(idle).toBe(0);
  });

  it('counts with enter/leave alongside start, idle only at zero and never below it', () => {
    const inFlight = createInFlight();
    const done = inFlight.start();
    inFlight.enter(3);
    let idle = 0;
    inFlight.idle().subscribe(() => (idle += 1));
    inFlight.leave(2);
    expect(inFlight.count).toBe(2);
    done();
    expect(inFlight.count).toBe(1);
    expect(idle).toBe(0);
    inFlight.leave();
    expect(inFlight.count).toBe(0);
    expect(idle).toBe(1);
    inFlight.leave(5);
    expect(inFlight.count).toBe(0);
    inFlight.enter(0);
    expect(inFlight.count).toBe(0);
  });
});
