import { asyncScheduler, type SchedulerLike } from 'rxjs';
import { createMetrics } from '../../src/metrics/createMetrics';
import type { MetricsRecorder } from '../../src/metrics/types';
import { measureLatency } from '../../src/operators/measureLatency';
import { testScheduler } from '../helpers/marbles';

/** A scheduler whose clock reads `times` in turn. */
const clockReading = (...times: number[]): SchedulerLike => ({
  now: jasmine.createSpy('now').and.returnValues(...times),
  schedule: asyncScheduler.schedule.bind(asyncScheduler),
});

/** Records what measureLatency observes, as [name, ms] pairs. */
const recorder = (): Pick<MetricsRecorder, 'observe'> & { readonly seen: [string, number][] } => {
  const seen: [string, number][] = [];
  return { seen, observe: (name, ms) => void seen.push([name, ms]) };
};

describe('operators/measureLatency', () => {
  it('records the time to completion of an empty source', () => {
    const metrics = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('---|').pipe(measureLatency(metrics, 'rpc'))).toBe('---|');
    });
    expect(metrics.seen).toEqual([['rpc', 3]]);
  });

  it('passes one value through and records at completion, not at the value', () => {
    const metrics = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('-a----|').pipe(measureLatency(metrics, 'rpc'))).toBe('-a----|');
    });
    expect(metrics.seen).toEqual([['rpc', 6]]);
  });

  it('passes many values through and records once', () => {
    const metrics = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-b-c|').pipe(measureLatency(metrics, 'rpc'))).toBe('a-b-c|');
    });
    expect(metrics.seen).toEqual([['rpc', 5]]);
  });

  it('records the time to an error and passes the error on', () => {
    const metrics = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-#').pipe(measureLatency(metrics, 'rpc'))).toBe('a-#');
    });
    expect(metrics.seen).toEqual([['rpc', 2]]);
  });

  it('records nothing for a never-ending source', () => {
    const metrics = recorder();
    testScheduler().run(({ hot, expectObservable }) => {
      expectObservable(hot('-a-b-').pipe(measureLatency(metrics, 'rpc'))).toBe('-a-b-');
    });
    expect(metrics.seen).toEqual([]);
  });

  it('records nothing when unsubscribed early, and unsubscribes from the source', () => {
    const metrics = recorder();
    testScheduler().run(({ cold, expectObservable, expectSubscriptions }) => {
      const source = cold('a-----|');
      expectObservable(source.pipe(measureLatency(metrics, 'rpc')), '^--!').toBe('a---');
      expectSubscriptions(source.subscriptions).toBe('^--!');
    });
    expect(metrics.seen).toEqual([]);
  });

  it('measures each subscription from its own start', () => {
    const metrics = recorder();
    testScheduler().run(({ cold, expectObservable }) => {
      const measured = cold('--|').pipe(measureLatency(metrics, 'rpc'));
      expectObservable(measured, '^').toBe('--|');
      expectObservable(measured, '----^').toBe('------|');
    });
    expect(metrics.seen).toEqual([
      ['rpc', 2],
      ['rpc', 2],
    ]);
  });

  it('turns an error thrown while recording into an error downstream', () => {
    const failing: Pick<MetricsRecorder, 'observe'> = {
      observe: () => {
        throw new Error('metrics broke');
      },
    };
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a-|').pipe(measureLatency(failing, 'rpc'))).toBe(
        'a-#',
        undefined,
        new Error('metrics broke'),
      );
    });
  });

  it('uses the scheduler it is given as the clock', () => {
    const metrics = recorder();
    const clock = clockReading(100, 142.5);
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('a|').pipe(measureLatency(metrics, 'rpc', clock))).toBe('a|');
    });
    expect(metrics.seen).toEqual([['rpc', 42.5]]);
  });

  it('never records a negative latency when the clock steps back', () => {
    const metrics = recorder();
    const clock = clockReading(100, 90);
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('|').pipe(measureLatency(metrics, 'rpc', clock))).toBe('|');
    });
    expect(metrics.seen).toEqual([['rpc', 0]]);
  });

  it('feeds a registry histogram', () => {
    const metrics = createMetrics();
    testScheduler().run(({ cold, expectObservable }) => {
      expectObservable(cold('---|').pipe(measureLatency(metrics, 'rpc.login_ms'))).toBe('---|');
    });
    expect(metrics.export()).toEqual({
      'rpc.login_ms.count': 1,
      'rpc.login_ms.sum': 3,
      'rpc.login_ms.p50': 3,
      'rpc.login_ms.p99': 3,
    });
  });
});
