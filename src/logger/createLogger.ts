import { hostname } from 'node:os';
import pino from 'pino';
import { prettyFactory } from 'pino-pretty';
import { levelCell, parseLogLevel } from './levels.js';
import { extendedLogger } from './loggerFromSink.js';
import type { ILogger, LogFields, LogLevel } from './types.js';

/** Where log lines go: anything with `write(line)`, such as a Node `Writable`. */
export interface LogDestination {
  write(line: string): unknown;
  /** When true (a terminal), pretty output is chosen unless `LOG_PRETTY=0`. */
  readonly isTTY?: boolean;
}

/** Options of {@link createLogger}. */
export interface CreateLoggerOptions {
  /** Where lines go; default stdout. */
  readonly destination?: LogDestination;
  /**
   * Human-readable lines (pino-pretty) instead of JSON lines. When left out:
   * `LOG_PRETTY=1`/`true` turns it on, `LOG_PRETTY=0`/`false` off, and otherwise it
   * is on exactly when the destination is a terminal.
   */
  readonly pretty?: boolean;
  /** Environment read for `LOG_PRETTY` and `NO_COLOR`; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/**
 * A pino-backed {@link ILogger} for `service`.
 *
 * JSON mode writes one object a line: `level` as a label (`"warn"`), `time` (epoch
 * ms), `service`, `pid`, `hostname`, `msg`, then the bindings and fields. An Error
 * in any field is serialized with its type, message and stack. Pretty mode
 * renders the same lines through pino-pretty as `[service] message` plus fields.
 * Lines go to `destination.write` as they are logged; stdout JSON goes through pino's
 * buffered writer, which pino flushes when the process exits.
 *
 * @param level - starting level, case-insensitive, default `'info'`.
 * @throws `InvalidLogLevelError` when `level` names no level (`'warning'` is not `'warn'`).
 * @example
 * ```ts
 * import { createLogger } from 'rxmini/node';
 * const log = createLogger('auth', 'debug');
 * log.with('node', 'n1').withContext('c-42').info('login', { user: 'ada' });
 * log.setLevel('warn');
 * ```
 * @see {@link ILogger}
 */
export const createLogger = (service: string, level = 'info', options: CreateLoggerOptions = {}): ILogger => {
  const cell = levelCell(parseLogLevel(level));
  const env = options.env ?? process.env;
  const target: LogDestination | undefined = options.destination;
  const tty = (target ?? process.stdout).isTTY === true;
  const pretty = options.pretty ?? prettyFromEnv(env.LOG_PRETTY) ?? tty;
  const stream = pretty
    ? prettyDestination(target ?? process.stdout, tty && env.NO_COLOR === undefined)
    : target;
  const root = pino(
    {
      // rxmini filters levels itself (children follow their parent), so pino passes everything.
      level: 'debug',
      base: { service, pid: process.pid, hostname: hostname() },
      formatters: { level: (label: string) => ({ level: label }) },
    },
    stream,
  );
  const sink = (lineLevel: LogLevel, message: string, fields: LogFields): void => {
    root[lineLevel](serializeErrors(fields), message);
  };
  return extendedLogger(sink, cell, {}, {});
};

/**
 * An Error's own fields are not enumerable, so JSON would show it as `{}`: any
 * field holding one (not only `err`/`error`) gets pino's error serializer.
 */
const serializeErrors = (fields: LogFields): LogFields => {
  let copy: Record<string, unknown> | undefined;
  for (const key in fields) {
    const value = fields[key];
    if (value instanceof Error) {
      copy ??= { ...fields };
      copy[key] = pino.stdSerializers.err(value);
    }
  }
  return copy ?? fields;
};

const prettyFromEnv = (value: string | undefined): boolean | undefined => {
  const normalized = value?.trim().toLowerCase();
  if (normalized === '1' || normalized === 'true') return true;
  if (normalized === '0' || normalized === 'false') return false;
  return undefined;
};

/** Pretty-prints each JSON line in place, so output stays synchronous and in order. */
const prettyDestination = (target: LogDestination, colorize: boolean): LogDestination => {
  const prettify = prettyFactory({
    colorize,
    ignore: 'service,pid,hostname',
    messageFormat: '[{service}] {msg}',
    translateTime: 'SYS:HH:MM:ss.l',
  });
  return { write: (line: string) => target.write(prettify(line)) };
};
