import { levelCell, parseLogLevel } from './levels.js';
import { extendedLogger, type ExtendedLogger } from './loggerFromSink.js';
import type { LogFields, LogLevel } from './types.js';

/** One line recorded by a {@link memoryLogger}. */
export interface LogRecord {
  readonly level: LogLevel;
  readonly message: string;
  /** Bindings of `with` / `withContext` merged with the fields of the call. */
  readonly fields: LogFields;
}

/** What a {@link memoryLogger} adds to `ILogger`. */
export interface MemoryLoggerExtras {
  /** Every line that passed the level, oldest first; shared by the whole family. */
  readonly records: readonly LogRecord[];
  /** Forgets every record. */
  clear(): void;
}

/** An `ILogger` that records its lines in memory; children share the records. */
export type MemoryLogger = ExtendedLogger<MemoryLoggerExtras>;

/** Options of {@link memoryLogger}. */
export interface MemoryLoggerOptions {
  /** Starting level; default `'debug'` (record everything). Unknown names throw `InvalidLogLevelError`. */
  readonly level?: string;
  /** Most records kept; the oldest go first. Default 10 000. */
  readonly limit?: number;
}

/**
 * A logger that keeps its lines in an array, for tests. Browser-safe.
 *
 * @throws `InvalidLogLevelError` when `options.level` names no level.
 * @example
 * ```ts
 * import { memoryLogger } from 'rxmini';
 * const log = memoryLogger();
 * log.withContext('c1').warn('slow', { ms: 900 });
 * log.records; // [{ level: 'warn', message: 'slow', fields: { contextID: 'c1', ms: 900 } }]
 * ```
 */
export const memoryLogger = (options: MemoryLoggerOptions = {}): MemoryLogger => {
  const limit = Math.max(1, options.limit ?? 10_000);
  const records: LogRecord[] = [];
  const extras: MemoryLoggerExtras = {
    records,
    clear: () => {
      records.length = 0;
    },
  };
  const sink = (level: LogLevel, message: string, fields: LogFields): void => {
    records.push({ level, message, fields });
    if (records.length > limit) records.splice(0, records.length - limit);
  };
  return extendedLogger(sink, levelCell(parseLogLevel(options.level ?? 'debug')), {}, extras);
};
