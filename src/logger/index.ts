/**
 * Structured logging: `ILogger`, a pino-backed `createLogger` (Node), and the
 * browser-safe `memoryLogger`, `noopLogger` and `loggerFromSink`.
 *
 * @example
 * ```ts
 * import { createLogger } from 'rxmini';
 * createLogger('auth').with('node', 'n1').info('ready');
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
export { createLogger, type CreateLoggerOptions, type LogDestination } from './createLogger.js';
