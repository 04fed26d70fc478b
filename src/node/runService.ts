/**
 * `runService`: a service's whole life in a Node process, from start to a
 * graceful drain on SIGINT or SIGTERM.
 *
 * @packageDocumentation
 */
import type { Service } from '../service/types.js';
import { serveMetrics, type MetricsServer } from './serveMetrics.js';

/** Options of {@link runService}. */
export interface RunServiceOptions {
  /** The signals that stop the service; default `['SIGINT', 'SIGTERM']`. */
  readonly signals?: readonly NodeJS.Signals[];
  /** Longest the drain waits for calls in flight, in ms; default the service's `drainTimeoutMs`. */
  readonly drainTimeoutMs?: number;
  /** Port of the Prometheus endpoint (`GET /metrics`); default the service's `metricsPort`, else none. */
  readonly metricsPort?: number;
  /** Interface of the Prometheus endpoint; default `127.0.0.1`. */
  readonly metricsHost?: string;
  /** Told once the service consumes (and the endpoint listens, if any): e.g. to report readiness. */
  readonly onStarted?: (metrics: MetricsServer | undefined) => void;
}

/** How a {@link runService} run ended. */
export interface RunResult {
  /** The signal that stopped the service. */
  readonly signal: NodeJS.Signals;
}

/**
 * Runs `svc` until the first of `signals`: `init()` (if not done), the
 * Prometheus endpoint (for `metricsPort`), `start()`; then, on the signal,
 * `stop()` — intake stops, calls in flight are answered within
 * `drainTimeoutMs`, the hooks run — and the endpoint closes. Resolves with
 * the signal; rejects when starting fails (after letting go of what it took).
 *
 * Its signal listeners are removed at the first signal, so a second one has
 * Node's default effect (it ends the process at once: the way to give up on
 * a drain). It never calls `process.exit`: the process ends by itself once
 * nothing else holds it (close the transport after it resolves).
 *
 * @param svc - a service from `createService`.
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { createService, memoryTransport } from 'rxmini';
 * import { runService } from 'rxmini/node';
 * const transport = memoryTransport();
 * const svc = createService({ name: 'auth', version: 'v1', transport, metricsPort: 9464 });
 * svc.action('auth.login', t.type({ email: t.string }), ({ email }) => ({ token: `jwt-for-${email}` }));
 * const { signal } = await runService(svc, { drainTimeoutMs: 5_000 });
 * await transport.close();
 * ```
 * @see {@link serveMetrics}
 */
export const runService = async (svc: Service, options: RunServiceOptions = {}): Promise<RunResult> => {
  const signals = options.signals ?? ['SIGINT', 'SIGTERM'];
  if (signals.length === 0) throw new TypeError('runService needs at least one signal to stop on');
  // listen before starting: a signal during start still drains instead of killing the process
  let onSignal: (signal: NodeJS.Signals) => void = () => undefined;
  const signalled = new Promise<NodeJS.Signals>((resolve) => {
    onSignal = resolve;
  });
  const stopListening = (): void => {
    for (const signal of signals) process.off(signal, onSignal);
  };
  for (const signal of signals) process.on(signal, onSignal);
  void signalled.then(stopListening);

  const metricsPort = options.metricsPort ?? svc.metricsPort;
  let server: MetricsServer | undefined;
  try {
    await svc.init();
    if (metricsPort !== undefined) {
      server = await serveMetrics(svc.metrics, {
        port: metricsPort,
        ...(options.metricsHost === undefined ? {} : { host: options.metricsHost }),
      });
    }
    await svc.start();
  } catch (error) {
    stopListening();
    await svc.stop();
    await server?.close();
    throw error;
  }
  options.onStarted?.(server);
  const signal = await signalled;
  try {
    await svc.stop(options.drainTimeoutMs === undefined ? {} : { drainTimeoutMs: options.drainTimeoutMs });
  } finally {
    await server?.close();
  }
  return { signal };
};
