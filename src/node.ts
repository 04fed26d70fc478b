/**
 * `rxmini/node` (Node only): what reads files, the environment or the host.
 * `loadConfig` reads a JSON file (`node:fs`, `process.env`); `createLogger` is
 * pino-backed and writes to stdout (`node:os`, `process`). The browser-safe
 * parts of config and logging (`configFromObject`, `loggerFromSink`,
 * `memoryLogger`, `noopLogger`, `ILogger`) stay in the root entry.
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
