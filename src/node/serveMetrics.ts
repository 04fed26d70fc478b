/**
 * `serveMetrics`: the Prometheus scrape endpoint, on `node:http`.
 *
 * @packageDocumentation
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { toPrometheus } from '../metrics/prometheus.js';
import type { Metrics } from '../metrics/types.js';

/** Options of {@link serveMetrics}. */
export interface ServeMetricsOptions {
  /** The port; 0 (the default) picks a free one, see {@link MetricsServer.port}. */
  readonly port?: number;
  /** The interface; default `127.0.0.1` (pass `0.0.0.0` for a scraper on another host). */
  readonly host?: string;
  /** The path served; default `/metrics`. */
  readonly path?: string;
}

/** A running metrics endpoint. */
export interface MetricsServer {
  /** The port it listens on (the one picked when asked for 0). */
  readonly port: number;
  /** The interface it listens on. */
  readonly host: string;
  /** The scrape URL, e.g. `http://127.0.0.1:9464/metrics`. */
  readonly url: string;
  /** Stops listening and closes open connections. */
  close(): Promise<void>;
}

/** The content type of the Prometheus text exposition format. */
const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';

/**
 * Serves `GET /metrics` with a registry's Prometheus text (`toPrometheus`:
 * `# HELP`/`# TYPE` lines, labels such as a service's `action` and `status`).
 * Anything else is a 404, a method other than GET or HEAD a 405. Resolves
 * once listening.
 *
 * @param metrics - a registry, e.g. `svc.metrics`.
 * @example
 * ```ts
 * import { createService, memoryTransport } from 'rxmini';
 * import { serveMetrics } from 'rxmini/node';
 * const svc = createService({ name: 'auth', version: 'v1', transport: memoryTransport() });
 * const server = await serveMetrics(svc.metrics, { port: 9464, host: '0.0.0.0' });
 * // curl http://localhost:9464/metrics
 * await server.close();
 * ```
 * @see {@link runService}, which serves it for `metricsPort`.
 */
export const serveMetrics = (
  metrics: Pick<Metrics, 'snapshot'>,
  options: ServeMetricsOptions = {},
): Promise<MetricsServer> => {
  const host = options.host ?? '127.0.0.1';
  const path = options.path ?? '/metrics';
  const server: Server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (url.pathname !== path) {
      response.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
      return;
    }
    if (request.method !== 'GET' && request.method !== 'HEAD') {
      response.writeHead(405, { allow: 'GET, HEAD', 'content-type': 'text/plain' }).end();
      return;
    }
    let text: string;
    try {
      text = toPrometheus(metrics);
    } catch (error) {
      response.writeHead(500, { 'content-type': 'text/plain' }).end(`${(error as Error).message}\n`);
      return;
    }
    response.writeHead(200, { 'content-type': CONTENT_TYPE, 'content-length': Buffer.byteLength(text) });
    response.end(request.method === 'HEAD' ? undefined : text);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      const { port } = server.address() as AddressInfo;
      const shownHost = host.includes(':') ? `[${host}]` : host;
      resolve({
        port,
        host,
        url: `http://${shownHost}:${port}${path}`,
        close: () =>
          new Promise<void>((done, fail) => {
            server.close((error) => (error ? fail(error) : done()));
            server.closeAllConnections();
          }),
      });
    });
  });
};
