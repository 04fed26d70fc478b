import { InvalidLogLevelError } from '../errors.js';
import { LogLevel } from './types.js';

const RANK: Readonly<Record<LogLevel, number>> = { debug: 10, info: 20, warn: 30, error: 40 };

/**
 * True when `value` is exactly one of the {@link LogLevel} names (lower case).
 *
 * @example
 * ```ts
 * import { isLogLevel } from 'rxmini';
 * isLogLevel('warn'); // true
 * isLogLevel('warning'); // false
 * ```
 */
export const isLogLevel = (value: unknown): value is LogLevel =>
  typeof value === 'string' && Object.prototype.hasOwnProperty.call(RANK, value);

/**
 * Reads a level name, ignoring case and surrounding blanks (`' INFO'` is `'info'`).
 * Anything else — `'warning'`, `''`, `'trace'` — throws instead of quietly becoming
 * `'info'` as in the Go original.
 *
 * @throws {@link InvalidLogLevelError} when `value` names no level.
 * @example
 * ```ts
 * import { parseLogLevel } from 'rxmini';
 * parseLogLevel('WARN'); // 'warn'
 * parseLogLevel('warning'); // throws InvalidLogLevelError
 * ```
 */
export const parseLogLevel = (value: string): LogLevel => {
  const normalized = typeof value === 'string' ? value.trim().toLowerCase() : value;
  if (isLogLevel(normalized)) return normalized;
  throw new InvalidLogLevelError(String(value));
};

/**
 * True when a line at `level` passes a logger set to `threshold`.
 *
 * @example
 * ```ts
 * import { isLevelEnabled } from 'rxmini';
 * isLevelEnabled('warn', 'info'); // true
 * isLevelEnabled('debug', 'info'); // false
 * ```
 */
export const isLevelEnabled = (level: LogLevel, threshold: LogLevel): boolean =>
  RANK[level] >= RANK[threshold];

/**
 * The level of one logger in a family. A child follows its parent's level until it
 * is given its own, so `root.setLevel('warn')` quiets every derived logger that was
 * not tuned on its own.
 */
export interface LevelCell {
  /** The level in force: this cell's own, or else its parent's. */
  get(): LogLevel;
  /** Gives this cell (and the children that follow it) its own level. */
  set(level: LogLevel): void;
  /** A new cell that follows this one. */
  child(): LevelCell;
}

/**
 * A root {@link LevelCell} starting at `level`.
 */
export const levelCell = (level: LogLevel): LevelCell => followingCell(() => level, level);

const followingCell = (inherited: () => LogLevel, initial?: LogLevel): LevelCell => {
  let own: LogLevel | undefined = initial;
  const cell: LevelCell = {
    get: () => own ?? inherited(),
    set: (level) => {
      own = level;
    },
    child: () => followingCell(cell.get),
  };
  return cell;
};
