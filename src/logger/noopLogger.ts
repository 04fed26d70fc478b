import { parseLogLevel } from './levels.js';
import type { ILogger } from './types.js';

/**
 * A logger that drops every line; the default wherever a logger is optional.
 * Browser-safe. `setLevel` still rejects unknown names, but the level stays `'error'`
 * (the quietest), since this one shared value must not be changed by its users.
 *
 * @example
 * ```ts
 * import { noopLogger, type ILogger } from 'rxmini';
 * const log: ILogger = noopLogger;
 * log.with('node', 'n1').info('never printed');
 * ```
 */
export const noopLogger: ILogger = Object.freeze({
  debug: () => undefined,
  info: () => undefined,
  warn: () => undefined,
  error: () => undefined,
  with: () => noopLogger,
  withContext: () => noopLogger,
  setLevel: (level: string) => {
    parseLogLevel(level);
  },
  level: 'error',
});
