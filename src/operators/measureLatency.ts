import { asyncScheduler, defer, tap, type MonoTypeOperatorFunction, type SchedulerLike } from 'rxjs';
import type { MetricsRecorder } from '../metrics/types.js';

/**
 * Records, in the histogram `name`, how long each subscription to the source
 * takes to terminate: from subscribe to complete or error, in milliseconds on
 * `scheduler`'s clock. Values and errors pass through unchanged. A subscription
 * cancelled before it terminates records nothing. If recording throws (e.g.
 * `name` is already a counter), that error replaces the termination downstream.
 *
 * @param metrics - where to record (a registry or a `withPrefix` view).
 * @param name - the histogram's name.
 * @param scheduler - the clock; default `asyncScheduler`.
 * @example
 * ```ts
 * import { createMetrics, measureLatency } from 'rxmini';
 * const metrics = createMetrics();
 * bus.request('auth.login', { email: 'ada@example.com' }).pipe(measureLatency(metrics, 'rpc.auth.login_ms')).subscribe();
 * ```
 * @see {@link createMetrics}
 */
export const measureLatency =
  <T>(
    metrics: Pick<MetricsRecorder, 'observe'>,
    name: string,
    scheduler: SchedulerLike = asyncScheduler,
  ): MonoTypeOperatorFunction<T> =>
  (source) =>
    defer(() => {
      const start = scheduler.now();
      // a wall clock may step back; a latency never does
      const record = (): void => metrics.observe(name, Math.max(0, scheduler.now() - start));
      return source.pipe(tap({ complete: record, error: record }));
    });
