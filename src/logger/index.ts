/**
 * Structured logging, the browser-safe part: `ILogger`, `memoryLogger`,
 * `noopLogger` and `loggerFromSink`. The pino-backed `createLogger` is Node-only
 * and lives in the `rxmini/node` entry (./createLogger.ts).
 *
 * @example
 * ```ts
 * import { loggerFromSink } from 'rxmini';
 * const lines: string[] = [];
 * loggerFromSink((level, message) => lines.push(`${level} ${message}`)).with('node', 'n1').info('ready');
 * ```
 * @packageDocumentation
 */
export { LogLevel, type ILogger, type LogFields } from './types.js';
export { isLogLevel, parseLogLevel, isLevelEnabled } from './levels.js';
export {
  loggerFromSink,
  CONTEXT_FIELD,
  type LogSink,
  type LoggerFromSinkOptions,
  type ExtendedLogger,
} from './loggerFromSink.js';
export {
  memoryLogger,
  type MemoryLogger,
  type MemoryLoggerExtras,
  type MemoryLoggerOptions,
  type LogRecord,
} from './memoryLogger.js';
export { noopLogger } from './noopLogger.js';
