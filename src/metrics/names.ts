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

/** A Prometheus label name; `__`-names are reserved, `le` is the histogram's own. */
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * Throws {@link InvalidMetricNameError} unless every label name is a Prometheus
 * label name (`[a-zA-Z_][a-zA-Z0-9_]*`, not `le`, not starting with `__`) and
 * every value a string.
 *
 * @example
 * ```ts
 * import { assertLabels } from 'rxmini';
 * assertLabels({ action: 'auth.login', status: '200' }); // ok
 * assertLabels({ le: '1' }); // throws InvalidMetricNameError
 * ```
 */
export const assertLabels = (labels: Readonly<Record<string, string>>): void => {
  for (const [label, value] of Object.entries(labels)) {
    if (!LABEL.test(label) || label.startsWith('__') || label === 'le') {
      throw new InvalidMetricNameError(
        label,
        `a label name must match ${LABEL.source}, not start with __ and not be le`,
      );
    }
    if (typeof value !== 'string') {
      throw new InvalidMetricNameError(label, `a label value is a string, got ${typeof value}`);
    }
  }
};

/** A label value in the text format: backslash, double quote and newline escaped. */
const escapeLabelValue = (value: string): string =>
  value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');

/**
 * Labels as the Prometheus text format writes them, in the order given:
 * `{action="auth.login",status="200"}`; '' for none.
 *
 * @example
 * ```ts
 * import { labelsText } from 'rxmini';
 * labelsText({ action: 'auth.login', status: '200' }); // '{action="auth.login",status="200"}'
 * ```
 */
export const labelsText = (labels: Readonly<Record<string, string>>): string => {
  const pairs = Object.entries(labels).map(([label, value]) => `${label}="${escapeLabelValue(value)}"`);
  return pairs.length === 0 ? '' : `{${pairs.join(',')}}`;
};
