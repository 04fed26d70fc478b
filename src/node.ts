/**
 * `rxmini/node` (Node only): what reads files, the environment or the host,
 * listens for signals or opens a port.
 * `loadConfig` reads a JSON file (`node:fs`, `process.env`); `createLogger` is
 * pino-backed and writes to stdout (`node:os`, `process`). The browser-safe
 * parts of config and logging (`configFromObject`, `loggerFromSink`,
 * `memoryLogger`, `noopLogger`, `ILogger`) stay in the root entry.
 * `runService` runs a service until SIGINT/SIGTERM and drains it (`process`
 * signals); `serveMetrics` is the Prometheus endpoint (`node:http`).
 * `sendLocalFile`, `receiveFilesToDir`, `diskWriter`, `pathSource`,
 * `readableSource` and `nodeSha256` move files from and to the disk (`node:fs`).
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

// files on disk (the transfer itself is in the root entry: sendFile, receiveFiles)
export { diskWriter } from './node/diskWriter.js';
export type { DiskWriterOptions } from './node/diskWriter.js';
export { nodeSha256, pathSource, readableSource } from './node/fileSources.js';
export { receiveFilesToDir, sendLocalFile } from './node/files.js';
export type { ReceiveFilesToDirOptions } from './node/files.js';
