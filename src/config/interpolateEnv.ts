import * as E from 'fp-ts/lib/Either.js';
import { ConfigError, MissingVariableError } from '../errors.js';

/** An environment: variable name to value (`process.env` fits). */
export type EnvVars = Readonly<Record<string, string | undefined>>;

const REFERENCE = /\$\$|\$\{([^}]*)\}|\$\{/g;
const BODY = /^([A-Za-z_][A-Za-z0-9_]*)(?::-([\s\S]*))?$/;

/**
 * Expands environment references in `text`:
 *
 * - `${VAR}` — the value of `VAR`; unset is a {@link MissingVariableError} naming
 *   it (never a silent `""` as in the Go original). Set but empty gives `""`.
 * - `${VAR:-default}` — the value of `VAR` when set and not empty, else `default`
 *   (taken literally: no nesting).
 * - `$$` — a literal `$`.
 * - Any other `$` is kept as written: bare `$VAR` is NOT expanded, so a password
 *   such as `pa$word` survives.
 *
 * A `${` with no closing brace or a bad name is a {@link ConfigError}.
 * `source` (a file, a key) is named in both errors.
 *
 * @example
 * ```ts
 * import { interpolateEnv } from 'rxmini';
 * interpolateEnv('${HOST:-localhost}:$${PORT}', { HOST: 'db' }); // Right('db:${PORT}')
 * interpolateEnv('${NOPE}', {}); // Left(MissingVariableError: NOPE)
 * ```
 */
export const interpolateEnv = (
  text: string,
  env: EnvVars,
  source?: string,
): E.Either<ConfigError | MissingVariableError, string> => {
  let failure: ConfigError | MissingVariableError | undefined;
  const where = source === undefined ? '' : ` in ${source}`;
  const result = text.replace(REFERENCE, (match: string, body: string | undefined) => {
    if (failure !== undefined) return match;
    if (match === '$$') return '$';
    const parsed = body === undefined ? null : BODY.exec(body);
    if (parsed === null) {
      failure = new ConfigError(
        body === undefined
          ? `unterminated variable reference "\${"${where}`
          : `malformed variable reference "${match}"${where}: expected \${NAME} or \${NAME:-default}`,
      );
      return match;
    }
    const [, name = '', fallback] = parsed;
    const value = env[name];
    if (fallback !== undefined) return value === undefined || value === '' ? fallback : value;
    if (value === undefined) {
      failure = new MissingVariableError(name, source === undefined ? {} : { source });
      return match;
    }
    return value;
  });
  return failure === undefined ? E.right(result) : E.left(failure);
};
