import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import { ConfigError, type FieldIssue } from '../errors.js';
import {
  frozenCopy,
  isPlainObject,
  show,
  toBoolean,
  toInteger,
  toNumber,
  withoutUndefined,
} from './coerce.js';
import { isSecretKey, redactSecrets, REDACTED } from './redactSecrets.js';
import { configDefaults, decodeKnownConfig, type KnownConfig } from './schema.js';

/** Every value of a {@link Config}: the typed known keys plus the user's own keys. */
export type ConfigValues = Readonly<KnownConfig> & { readonly [key: string]: unknown };

/**
 * A loaded, validated, immutable configuration.
 *
 * Keys are looked up as written first; a key with dots (`db.host`) that is not itself
 * a top-level key walks nested objects. Values that come from the environment are
 * strings, so the typed readers convert: `mustInt('workers')` reads `'4'` as 4.
 *
 * - `must*` — the value, or a {@link ConfigError} naming the key when it is missing
 *   or of the wrong type (never a silent `""` as in the Go original).
 * - `get*` — `Option` (or the `fallback` when one is given) for a missing key; a key
 *   that is present with the wrong type is still a {@link ConfigError}: a
 *   misconfiguration is never silently replaced by a default.
 *
 * @example
 * ```ts
 * import { configFromObject } from 'rxmini';
 * const cfg = configFromObject({ service_name: 'auth', db: { host: 'h', password: 'p' } });
 * cfg.values.port; // 8080 (default)
 * cfg.mustString('db.host'); // 'h'
 * cfg.getNumber('workers', 4); // 4
 * cfg.dump(); // JSON with "password": "[redacted]"
 * ```
 */
export interface Config {
  /** Every value, deeply frozen. Secrets are NOT redacted here; use {@link Config.dump} to show them. */
  readonly values: ConfigValues;
  /** True when the key is present (a `null` value counts as present). */
  has(key: string): boolean;
  /** The raw value of a key, or `undefined`. */
  get<K extends keyof KnownConfig>(key: K): KnownConfig[K];
  get(key: string): unknown;
  /** A string; numbers and booleans are given in their string form. */
  mustString(key: string): string;
  /** A safe integer, or a string spelling one. */
  mustInt(key: string): number;
  /** A finite number, or a string spelling one. */
  mustNumber(key: string): number;
  /** A boolean, or `'true'`/`'false'`/`'1'`/`'0'`. */
  mustBool(key: string): boolean;
  getString(key: string): O.Option<string>;
  getString(key: string, fallback: string): string;
  getNumber(key: string): O.Option<number>;
  getNumber(key: string, fallback: number): number;
  getBool(key: string): O.Option<boolean>;
  getBool(key: string, fallback: boolean): boolean;
  /** Indented JSON of every value with secrets shown as `"[redacted]"` (see `redactSecrets`). */
  dump(): string;
  /** The redacted values, so `JSON.stringify(config)` and loggers never leak secrets. */
  toJSON(): Record<string, unknown>;
}

/**
 * A {@link Config} built in code (for tests, or services that do not read files):
 * `configDefaults` under `values`, validated like a loaded file. Keys whose value is
 * `undefined` count as absent.
 *
 * @throws {@link ConfigError} listing every invalid known key in `issues`.
 * @example
 * ```ts
 * import { configFromObject } from 'rxmini';
 * const cfg = configFromObject({ service_name: 'auth', port: 0 });
 * cfg.mustInt('port'); // 0
 * configFromObject({ port: 'http' }); // throws ConfigError, issues[0].path === 'port'
 * ```
 */
export const configFromObject = (values: Readonly<Record<string, unknown>>): Config => {
  const built = buildConfig({ ...configDefaults, ...withoutUndefined(values) }, 'object');
  if (E.isLeft(built)) throw built.left;
  return built.right;
};

/**
 * Validates merged raw values and wraps them. `origins` names where each top-level
 * key came from, so an issue can say `(from SRV_PORT)`.
 *
 * @internal
 */
export const buildConfig = (
  raw: Readonly<Record<string, unknown>>,
  subject: string,
  origins: ReadonlyMap<string, string> = new Map(),
): E.Either<ConfigError, Config> => {
  const known = decodeKnownConfig(raw);
  if (E.isLeft(known)) {
    const issues = known.left.map((issue) => withOrigin(issue, origins));
    const message = `invalid config from ${subject}: ${issues.map((issue) => issue.message).join('; ')}`;
    return E.left(new ConfigError(message, { issues }));
  }
  return E.right(makeConfig(frozenCopy({ ...raw, ...known.right }) as ConfigValues));
};

const withOrigin = (issue: FieldIssue, origins: ReadonlyMap<string, string>): FieldIssue => {
  const origin = origins.get(issue.path.split('.')[0] ?? '');
  return origin === undefined ? issue : { ...issue, message: `${issue.message} (from ${origin})` };
};

const makeConfig = (values: ConfigValues): Config => {
  const lookup = (key: string): unknown => {
    if (Object.prototype.hasOwnProperty.call(values, key)) return values[key];
    let node: unknown = values;
    for (const segment of key.split('.')) {
      if (!(isPlainObject(node) || Array.isArray(node))) return undefined;
      if (!Object.prototype.hasOwnProperty.call(node, segment)) return undefined;
      node = (node as Record<string, unknown>)[segment];
    }
    return node;
  };

  const must =
    <A>(expected: string, read: (value: unknown) => A | undefined) =>
    (key: string): A => {
      const value = lookup(key);
      const result = value === undefined ? undefined : read(value);
      if (result === undefined) throw keyError(key, expected, value);
      return result;
    };

  const optional =
    <A>(expected: string, read: (value: unknown) => A | undefined) =>
    (key: string, fallback?: A): O.Option<A> | A => {
      const value = lookup(key);
      if (value === undefined) return fallback === undefined ? O.none : fallback;
      const result = read(value);
      if (result === undefined) throw keyError(key, expected, value);
      return fallback === undefined ? O.some(result) : result;
    };

  const readString = (value: unknown): string | undefined =>
    typeof value === 'string'
      ? value
      : typeof value === 'number' || typeof value === 'boolean'
        ? String(value)
        : undefined;

  const config: Config = {
    values,
    has: (key) => lookup(key) !== undefined,
    get: lookup as Config['get'],
    mustString: must('string', readString),
    mustInt: must('integer', toInteger),
    mustNumber: must('number', toNumber),
    mustBool: must('boolean', toBoolean),
    getString: optional('string', readString) as Config['getString'],
    getNumber: optional('number', toNumber) as Config['getNumber'],
    getBool: optional('boolean', toBoolean) as Config['getBool'],
    dump: () => JSON.stringify(redactSecrets(values), null, 2),
    toJSON: () => redactSecrets(values),
  };
  return Object.freeze(config);
};

const keyError = (key: string, expected: string, value: unknown): ConfigError => {
  if (value === undefined) {
    const message = `config key "${key}" is missing (expected ${expected})`;
    return new ConfigError(message, { issues: [{ path: key, expected, message }] });
  }
  const actual = isSecretKey(key) ? REDACTED : value;
  const message = `config key "${key}": expected ${expected}, got ${show(actual)}`;
  return new ConfigError(message, { issues: [{ path: key, expected, actual, message }] });
};
