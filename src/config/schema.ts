import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import type { FieldIssue } from '../errors.js';
import { isLogLevel } from '../logger/levels.js';
import type { LogLevel } from '../logger/types.js';
import { show, toBoolean, toInteger, toNumber } from './coerce.js';

const lenient = <A>(
  name: string,
  is: (u: unknown) => u is A,
  read: (u: unknown) => A | undefined,
): t.Type<A> =>
  new t.Type<A>(
    name,
    is,
    (u, c) => {
      const value = read(u);
      return value === undefined ? t.failure(u, c) : t.success(value);
    },
    t.identity,
  );

const isNonEmpty = (u: unknown): u is string => typeof u === 'string' && u.trim() !== '';
const nonEmptyString = lenient('non-empty string', isNonEmpty, (u) => (isNonEmpty(u) ? u : undefined));

const numberIn = (name: string, min: number, max: number, integer = false): t.Type<number> => {
  const inRange = (n: number | undefined): n is number => n !== undefined && n >= min && n <= max;
  return lenient(
    name,
    (u): u is number => typeof u === 'number' && inRange(integer ? toInteger(u) : toNumber(u)),
    (u) => {
      const n = integer ? toInteger(u) : toNumber(u);
      return inRange(n) ? n : undefined;
    },
  );
};

const logLevel = lenient('debug | info | warn | error', isLogLevel, (u): LogLevel | undefined => {
  const normalized = typeof u === 'string' ? u.trim().toLowerCase() : u;
  return isLogLevel(normalized) ? normalized : undefined;
});

const booleanLike = lenient('boolean', (u): u is boolean => typeof u === 'boolean', toBoolean);

const percent = numberIn('number 0-100', 0, 100);
const nonNegative = numberIn('number >= 0', 0, Number.MAX_VALUE);

/**
 * The keys rxmini itself reads, as an io-ts codec. Decoding accepts the string forms
 * the environment gives (`'8080'`, `'true'`, `'WARN'`) and yields proper types.
 * Every other key is left to the user and kept as is.
 *
 * @example
 * ```ts
 * import { KnownConfig, configDefaults } from 'rxmini';
 * KnownConfig.decode({ ...configDefaults, port: '9090' }); // Right, port: 9090
 * ```
 */
export const KnownConfig = t.intersection(
  [
    t.type({
      service_name: nonEmptyString,
      bus_addr: nonEmptyString,
      log_level: logLevel,
      port: numberIn('integer 0-65535', 0, 65535, true),
      dev_mode: booleanLike,
      /** Free memory (%) below which health is CRITICAL. */
      hc_memory_critical: percent,
      /** Free memory (%) below which health is WARNING. */
      hc_memory_warning: percent,
      /** Load average (5 min) per core above which health is CRITICAL. */
      hc_load_critical: nonNegative,
      /** Load average (5 min) per core above which health is WARNING. */
      hc_load_warning: nonNegative,
    }),
    t.partial({
      /** nsqlookupd HTTP address; without it, only `bus_addr` is used. */
      lookupd_addr: nonEmptyString,
    }),
  ],
  'KnownConfig',
);

/** The typed view of the keys rxmini reads; see {@link KnownConfig}. */
export type KnownConfig = t.TypeOf<typeof KnownConfig>;

/**
 * The default of every known key but the optional `lookupd_addr`; the health
 * thresholds are those of the Go original before they were lost.
 *
 * @example
 * ```ts
 * import { configDefaults } from 'rxmini';
 * configDefaults.port; // 8080
 * ```
 */
export const configDefaults: Readonly<Omit<KnownConfig, 'lookupd_addr'>> = Object.freeze({
  service_name: 'default',
  bus_addr: '127.0.0.1:4150',
  log_level: 'info',
  port: 8080,
  dev_mode: false,
  hc_memory_critical: 10,
  hc_memory_warning: 20,
  hc_load_critical: 1.5,
  hc_load_warning: 1.0,
});

/**
 * Decodes the known keys of `raw`: every failing key becomes one {@link FieldIssue}
 * (not just the first), and the thresholds must be ordered (a warning comes before
 * the critical level).
 *
 * @internal
 */
export const decodeKnownConfig = (
  raw: Readonly<Record<string, unknown>>,
): E.Either<FieldIssue[], KnownConfig> => {
  const decoded = KnownConfig.decode(raw);
  if (E.isLeft(decoded)) return E.left(toFieldIssues(decoded.left));
  const issues: FieldIssue[] = [];
  const known = decoded.right;
  if (known.hc_memory_warning < known.hc_memory_critical) {
    issues.push(order('hc_memory_warning', '>=', 'hc_memory_critical', known));
  }
  if (known.hc_load_warning > known.hc_load_critical) {
    issues.push(order('hc_load_warning', '<=', 'hc_load_critical', known));
  }
  return issues.length > 0 ? E.left(issues) : E.right(known);
};

const order = (
  key: 'hc_memory_warning' | 'hc_load_warning',
  relation: string,
  other: 'hc_memory_critical' | 'hc_load_critical',
  known: KnownConfig,
): FieldIssue => ({
  path: key,
  expected: `${relation} ${other} (${known[other]})`,
  actual: known[key],
  message: `${key}: expected ${relation} ${other} (${known[other]}), got ${known[key]}`,
});

/** One issue per failing path, naming the codec that failed there. */
const toFieldIssues = (errors: t.Errors): FieldIssue[] => {
  const byPath = new Map<string, FieldIssue>();
  for (const error of errors) {
    // Skip the root and the member indices of intersections: the path is the user's key.
    const path = error.context
      .filter((_, index) => index > 0 && !(error.context[index - 1]?.type instanceof t.IntersectionType))
      .map((entry) => entry.key)
      .join('.');
    if (byPath.has(path)) continue;
    const expected = error.context[error.context.length - 1]?.type.name ?? 'unknown';
    byPath.set(path, {
      path,
      expected,
      actual: error.value,
      message:
        error.value === undefined
          ? `${path}: required ${expected}`
          : `${path}: expected ${expected}, got ${show(error.value)}`,
    });
  }
  return [...byPath.values()];
};
