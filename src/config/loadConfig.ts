import { readFileSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { ConfigError, type MissingVariableError } from '../errors.js';
import { isPlainObject, withoutUndefined } from './coerce.js';
import { buildConfig, type Config } from './config.js';
import { interpolateEnv, type EnvVars } from './interpolateEnv.js';
import { configDefaults } from './schema.js';

/** Options of {@link loadConfig}. */
export interface LoadConfigOptions {
  /** The JSON file; default the file named by `<prefix>CONFIG` (`SRV_CONFIG`); none: no file. */
  readonly file?: string;
  /** Environment for `${VAR}` and the fallbacks; default `process.env`. */
  readonly env?: EnvVars;
  /** Prefix of the fallback variables, default `'SRV_'`; `false` turns fallbacks (and `SRV_CONFIG`) off. */
  readonly envPrefix?: string | false;
  /** Your own defaults, applied over the built-in `configDefaults`. */
  readonly defaults?: Readonly<Record<string, unknown>>;
}

/** Why {@link loadConfig} failed. */
export type ConfigLoadError = ConfigError | MissingVariableError;

/**
 * Loads the configuration, returning an `Either` instead of throwing.
 * See {@link loadConfig} for the sources and their precedence.
 *
 * @example
 * ```ts
 * import { loadConfigEither } from 'rxmini/node';
 * import * as E from 'fp-ts/lib/Either.js';
 * const result = loadConfigEither({ file: 'config.json' });
 * if (E.isLeft(result)) log.error(result.left.message);
 * ```
 */
export const loadConfigEither = (options: LoadConfigOptions = {}): E.Either<ConfigLoadError, Config> => {
  const env = options.env ?? process.env;
  const prefix = options.envPrefix ?? 'SRV_';
  if (prefix === '')
    return E.left(new ConfigError('envPrefix must not be empty (use false to turn fallbacks off)'));
  const fromEnv = prefix === false ? new Map<string, EnvFallback>() : envFallbacks(env, prefix);
  const file = options.file ?? (prefix === false ? undefined : nonEmpty(env[`${prefix}CONFIG`]));
  const fromFile = file === undefined ? E.right({}) : readConfigFile(file, env);
  if (E.isLeft(fromFile)) return fromFile;

  const origins = new Map<string, string>();
  for (const [key, { variable }] of fromEnv) origins.set(key, variable);
  for (const key of Object.keys(fromFile.right)) origins.set(key, file ?? 'file');
  const raw = {
    ...configDefaults,
    ...withoutUndefined(options.defaults ?? {}),
    ...Object.fromEntries([...fromEnv].map(([key, { value }]) => [key, value])),
    ...fromFile.right,
  };
  return buildConfig(raw, file ?? 'defaults and environment', origins);
};

/**
 * Loads the configuration, or throws a typed error.
 *
 * Sources, strongest first:
 *
 * 1. **the JSON file** (`options.file`, else the file named by `SRV_CONFIG`). String
 *    values may hold `${VAR}`, `${VAR:-default}` and `$$` (see `interpolateEnv`); an
 *    unset `${VAR}` without default is a `MissingVariableError` naming the variable,
 *    the file and the key. To let the environment override a file value, write
 *    the value as `"${VAR:-value}"`.
 * 2. **environment fallbacks**: `SRV_X_Y=…` gives key `x_y` when the file does not
 *    set it (empty variables are ignored). Any key works, not just the known ones.
 * 3. **`options.defaults`**, then the built-in `configDefaults`.
 *
 * The merged values are validated by the `KnownConfig` io-ts schema: string forms
 * from the environment become numbers and booleans (`SRV_PORT=9090` is 9090), and
 * every bad key is reported in `ConfigError.issues` with its path, the expected type
 * and where the value came from. Unknown keys are kept as they are.
 *
 * @throws {@link ConfigError} when the file cannot be read or parsed, or values are invalid.
 * @throws `MissingVariableError` when the file uses an unset `${VAR}` without a default.
 * @example
 * ```ts
 * import { loadConfig } from 'rxmini/node';
 * // config.json: { "service_name": "auth", "db": { "password": "${DB_PASSWORD}" } }
 * const cfg = loadConfig({ file: 'config.json', env: { DB_PASSWORD: 's3cret', SRV_PORT: '9090' } });
 * cfg.mustInt('port'); // 9090
 * cfg.dump(); // …"password": "[redacted]"…
 * ```
 * @see {@link loadConfigEither}
 */
export const loadConfig = (options: LoadConfigOptions = {}): Config => {
  const result = loadConfigEither(options);
  if (E.isLeft(result)) throw result.left;
  return result.right;
};

const nonEmpty = (value: string | undefined): string | undefined => (value === '' ? undefined : value);

interface EnvFallback {
  readonly variable: string;
  readonly value: string;
}

/** `SRV_X_Y=v` as key `x_y`; variables sorted so the result does not depend on env order. */
const envFallbacks = (env: EnvVars, prefix: string): Map<string, EnvFallback> => {
  const fallbacks = new Map<string, EnvFallback>();
  for (const variable of Object.keys(env).sort()) {
    const value = env[variable];
    if (!variable.startsWith(prefix) || value === undefined || value === '') continue;
    const key = variable.slice(prefix.length).toLowerCase();
    if (key === '' || key === 'config') continue;
    fallbacks.set(key, { variable, value });
  }
  return fallbacks;
};

const readConfigFile = (file: string, env: EnvVars): E.Either<ConfigLoadError, Record<string, unknown>> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (cause) {
    return E.left(new ConfigError(`cannot read config file ${file}: ${messageOf(cause)}`, { cause }));
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (cause) {
    const hint = /:\s*\$\{/.test(text) ? ' (write variables inside strings: "port": "${PORT}")' : '';
    return E.left(
      new ConfigError(`config file ${file} is not valid JSON: ${messageOf(cause)}${hint}`, { cause }),
    );
  }
  if (!isPlainObject(parsed)) {
    return E.left(new ConfigError(`config file ${file} must hold a JSON object, not ${describe(parsed)}`));
  }
  return interpolateDeep(parsed, env, file, '') as E.Either<ConfigLoadError, Record<string, unknown>>;
};

const interpolateDeep = (
  value: unknown,
  env: EnvVars,
  file: string,
  path: string,
): E.Either<ConfigLoadError, unknown> => {
  if (typeof value === 'string') {
    return value.includes('$') ? interpolateEnv(value, env, `${file} (key "${path}")`) : E.right(value);
  }
  const children: [string, unknown][] | undefined = Array.isArray(value)
    ? value.map((item, index) => [String(index), item])
    : isPlainObject(value)
      ? Object.entries(value)
      : undefined;
  if (children === undefined) return E.right(value);
  const out: [string, unknown][] = [];
  for (const [key, item] of children) {
    const expanded = interpolateDeep(item, env, file, path === '' ? key : `${path}.${key}`);
    if (E.isLeft(expanded)) return expanded;
    out.push([key, expanded.right]);
  }
  return E.right(Array.isArray(value) ? out.map(([, item]) => item) : Object.fromEntries(out));
};

const messageOf = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const describe = (value: unknown): string =>
  Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value;
