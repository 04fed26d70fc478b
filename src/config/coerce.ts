/**
 * Lenient readings of config values. Values from the environment (and from `${VAR}`
 * in a file) are strings, so numeric and boolean keys accept their string forms.
 *
 * @internal
 * @packageDocumentation
 */

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/**
 * A finite number, or a string that spells one (`' 8080 '`, `'1.5'`, `'1e3'`);
 * `undefined` for anything else (`''`, `'0x10'`, `'12px'`, `NaN`).
 */
export const toNumber = (value: unknown): number | undefined => {
  if (typeof value === 'number') return Number.isFinite(value) ? value : undefined;
  if (typeof value !== 'string') return undefined;
  const trimmed = value.trim();
  if (!NUMERIC.test(trimmed)) return undefined;
  const parsed = Number(trimmed);
  return Number.isFinite(parsed) ? parsed : undefined;
};

/**
 * A safe integer, or a string that spells one; `undefined` otherwise (`1.5`, `'1.5'`).
 */
export const toInteger = (value: unknown): number | undefined => {
  const parsed = toNumber(value);
  return parsed !== undefined && Number.isSafeInteger(parsed) ? parsed : undefined;
};

/**
 * A boolean, or `'true'`/`'false'`/`'1'`/`'0'` (any case, blanks ignored), or the
 * numbers 1 and 0; `undefined` otherwise (`'yes'` included: say what you mean).
 */
export const toBoolean = (value: unknown): boolean | undefined => {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value !== 'string') return undefined;
  switch (value.trim().toLowerCase()) {
    case 'true':
    case '1':
      return true;
    case 'false':
    case '0':
      return false;
    default:
      return undefined;
  }
};

/**
 * A value shown in an error message: JSON, cut to a readable length.
 */
export const show = (value: unknown): string => {
  let text: string;
  try {
    text = value === undefined ? 'undefined' : (JSON.stringify(value) ?? String(value));
  } catch {
    text = String(value);
  }
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
};

/**
 * True for plain data (`{}` or `Object.create(null)`), as opposed to a Date, Map,
 * array or class instance.
 */
export const isPlainObject = (value: unknown): value is Record<string, unknown> => {
  if (typeof value !== 'object' || value === null) return false;
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

/**
 * A deep copy of the plain objects and arrays in `value`, each frozen; other values
 * (dates, class instances) are shared as they are.
 */
export const frozenCopy = <T>(value: T): T => {
  if (Array.isArray(value)) return Object.freeze(value.map(frozenCopy)) as T;
  if (!isPlainObject(value)) return value;
  // fromEntries defines properties, so a "__proto__" key from JSON stays plain data.
  const entries = Object.entries(value).filter(([, item]) => item !== undefined);
  return Object.freeze(Object.fromEntries(entries.map(([key, item]) => [key, frozenCopy(item)]))) as T;
};

/**
 * The same record without its `undefined` values (they count as absent).
 */
export const withoutUndefined = (values: Readonly<Record<string, unknown>>): Record<string, unknown> =>
  Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined));
