import { InvalidMetricNameError } from './errors.js';

/** Dot-separated segments of Prometheus name characters; dots become '_' on exposition. */
const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*(\.[a-zA-Z0-9_:]+)*$/;
const MAX_NAME_LENGTH = 200;

/**
 * Throws {@link InvalidMetricNameError} unless `name` is a valid metric name:
 * Prometheus characters (`[a-zA-Z_:][a-zA-Z0-9_:]*`) in dot-separated segments,
 * at most 200 characters.
 *
 * @example
 * ```ts
 * import { assertMetricName } from 'rxmini';
 * assertMetricName('db.query_ms'); // ok
 * assertMetricName('db..query');   // throws InvalidMetricNameError
 * ```
 */
export const assertMetricName = (name: string): void => {
  if (name.length === 0 || name.length > MAX_NAME_LENGTH || !NAME.test(name)) {
    throw new InvalidMetricNameError(
      name,
      `must match ${NAME.source} and be 1-${MAX_NAME_LENGTH} characters`,
    );
  }
};

/**
 * Normalises a prefix for `withPrefix`: adds the missing trailing '.', keeps ''
 * as no prefix, and throws {@link InvalidMetricNameError} when names under it
 * could never be valid.
 *
 * @example
 * ```ts
 * import { normalizeMetricPrefix } from 'rxmini';
 * normalizeMetricPrefix('db');  // 'db.'
 * normalizeMetricPrefix('db.'); // 'db.'
 * ```
 */
export const normalizeMetricPrefix = (prefix: string): string => {
  if (prefix === '') return '';
  const withDot = prefix.endsWith('.') ? prefix : `${prefix}.`;
  const stem = withDot.slice(0, -1);
  if (stem.length >= MAX_NAME_LENGTH || !NAME.test(stem)) {
    throw new InvalidMetricNameError(
      prefix,
      `a prefix must be a valid metric name, optionally ending in '.'`,
    );
  }
  return withDot;
};

/**
 * The Prometheus name of a metric: every character outside `[a-zA-Z0-9_:]`
 * (the dots of rxmini names) becomes '_', and a leading digit gets a '_' before it.
 *
 * @example
 * ```ts
 * import { sanitizeMetricName } from 'rxmini';
 * sanitizeMetricName('db.query_ms'); // 'db_query_ms'
 * ```
 */
export const sanitizeMetricName = (name: string): string => {
  const replaced = name.replace(/[^a-zA-Z0-9_:]/g, '_');
  return /^[0-9]/.test(replaced) || replaced === '' ? `_${replaced}` : replaced;
};
