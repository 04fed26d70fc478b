/**
 * The log levels rxmini knows, lowest first.
 *
 * @example
 * ```ts
 * import { LogLevel } from 'rxmini';
 * import { createLogger } from 'rxmini/node';
 * createLogger('auth', LogLevel.debug);
 * ```
 */
export const LogLevel = {
  debug: 'debug',
  info: 'info',
  warn: 'warn',
  error: 'error',
} as const;

/** Union of the {@link LogLevel} names. */
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];

/**
 * Structured fields attached to one log line.
 *
 * @example
 * ```ts
 * import type { LogFields } from 'rxmini';
 * const fields: LogFields = { port: 4150, node: 'n1' };
 * ```
 */
export type LogFields = Readonly<Record<string, unknown>>;

/**
 * What rxmini needs from a logger. `createLogger` gives a pino-backed one; users
 * may pass any implementation (tests often use a memory logger).
 *
 * @example
 * ```ts
 * import { createLogger } from 'rxmini/node';
 * const log = createLogger('auth', 'debug').with('node', 'n1');
 * log.info('ready', { port: 4150 });
 * ```
 */
export interface ILogger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  /** A child logger carrying `key=value` on every line; this logger is unchanged. */
  with(key: string, value: unknown): ILogger;
  /** A child logger carrying the trace / context id on every line. */
  withContext(traceId: string): ILogger;
  /** Changes the level; an unknown level throws `InvalidLogLevelError`. */
  setLevel(level: string): void;
  /** The current level. */
  readonly level: LogLevel;
}
