/**
 * `rxmini/node` (Node only): what reads files, the environment or the host,
 * listens for signals or opens a port.
 * `loadConfig` reads a JSON file (`node:fs`, `process.env`); `createLogger` is
 * pino-backed and writes to stdout (`node:os`, `process`). The browser-safe
 * parts of config and logging (`configFromObject`, `loggerFromSink`,
 * `memoryLogger`, `noopLogger`, `ILogger`) stay in the root entry.
 * `runService` runs a service until SIGINT/SIGTERM and drains it (`process`
 * signals); `serveMetrics` is the Prometheus endpoint (`node:http`).
 *
 * @example
 * ```ts
 * import { createLogger, loadConfig } from 'rxmini/node';
 * const cfg = loadConfig(); // file from SRV_CONFIG, else environment and defaults
 * const log = createLogger(cfg.mustString('service_name'), cfg.mustString('log_level'));
 * ```
 * @packageDocumentation
 */

// config files
export { loadConfig, loadConfigEither } from './config/loadConfig.js';
export type { ConfigLoadError, LoadConfigOptions } from './config/loadConfig.js';

// the pino logger
export { createLogger } from './logger/createLogger.js';
export type { CreateLoggerOptions, LogDestination } from './logger/createLogger.js';

// running a service
export { runService } from './node/runService.js';
export type { RunResult, RunServiceOptions } from './node/runService.js';
export { serveMetrics } from './node/serveMetrics.js';
export type { MetricsServer, ServeMetricsOptions } from './node/serveMetrics.js';
