import { isLevelEnabled, levelCell, parseLogLevel, type LevelCell } from './levels.js';
import type { ILogger, LogFields, LogLevel } from './types.js';

/**
 * Where a logger built by {@link loggerFromSink} sends the lines that pass its level.
 * `fields` already holds the bindings of `with` / `withContext` merged under the
 * fields of the call (a call's field wins over a binding of the same name).
 */
export type LogSink = (level: LogLevel, message: string, fields: LogFields) => void;

/** Options of {@link loggerFromSink}. */
export interface LoggerFromSinkOptions {
  /** Starting level; case-insensitive; default `'info'`. An unknown name throws `InvalidLogLevelError`. */
  readonly level?: string;
  /** Fields carried by every line. */
  readonly bindings?: LogFields;
}

/** The field `withContext(traceId)` sets, named like the message field it mirrors. */
export const CONTEXT_FIELD = 'contextID';

/**
 * A logger whose children keep the extra members `X` (used by `memoryLogger` so that
 * `log.with(…).records` still works).
 */
export type ExtendedLogger<X extends object> = Omit<ILogger, 'with' | 'withContext'> &
  X & {
    with(key: string, value: unknown): ExtendedLogger<X>;
    withContext(traceId: string): ExtendedLogger<X>;
  };

/**
 * An {@link ILogger} over any sink: level filtering, `with`, `withContext` and
 * `setLevel` come for free. Browser-safe; use it to adapt rxmini to another logger.
 *
 * Children follow their parent's level until `setLevel` is called on them.
 *
 * @throws `InvalidLogLevelError` when `options.level` names no level.
 * @example
 * ```ts
 * import { loggerFromSink } from 'rxmini';
 * const lines: string[] = [];
 * const log = loggerFromSink((level, message) => lines.push(`${level} ${message}`), { level: 'debug' });
 * log.with('node', 'n1').debug('ready'); // lines: ['debug ready']
 * ```
 */
export const loggerFromSink = (sink: LogSink, options: LoggerFromSinkOptions = {}): ILogger =>
  extendedLogger(sink, levelCell(parseLogLevel(options.level ?? 'info')), options.bindings ?? {}, {});

/**
 * Builds one member of a logger family over `sink`; every rxmini logger is one.
 * `extras` are copied (as property descriptors) onto each member.
 *
 * @internal
 */
export const extendedLogger = <X extends object>(
  sink: LogSink,
  cell: LevelCell,
  bindings: LogFields,
  extras: X,
): ExtendedLogger<X> => {
  const hasBindings = Object.keys(bindings).length > 0;
  const emit =
    (level: LogLevel) =>
    (message: string, fields?: LogFields): void => {
      if (!isLevelEnabled(level, cell.get())) return;
      sink(
        level,
        message,
        fields === undefined ? bindings : hasBindings ? { ...bindings, ...fields } : fields,
      );
    };
  const child = (extra: LogFields): ExtendedLogger<X> =>
    extendedLogger(sink, cell.child(), { ...bindings, ...extra }, extras);
  const logger: ILogger = {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    with: (key, value) => child({ [key]: value }),
    withContext: (traceId) => child({ [CONTEXT_FIELD]: traceId }),
    setLevel: (level) => cell.set(parseLogLevel(level)),
    get level() {
      return cell.get();
    },
  };
  return Object.defineProperties(logger, Object.getOwnPropertyDescriptors(extras)) as ExtendedLogger<X>;
};
