/**
 * Reading and writing body values and headers, with typed conversions.
 *
 * Every reader returns an fp-ts `Option`: a missing key is `none`, never a placeholder such as
 * the Go original's `"null"`. Every writer returns a new message. All of them work data-first
 * (`getString(msg, 'name')`) and data-last (`pipe(msg, getString('name'))`).
 *
 * @packageDocumentation
 */
import * as O from 'fp-ts/lib/Option.js';
import { dual } from './dual.js';
import type { JsonObject, JsonValue } from './json.js';
import type { Message } from './message.js';

const hasOwn = (record: object | undefined, key: string): boolean =>
  record !== undefined && Object.prototype.hasOwnProperty.call(record, key);

const readValue = (msg: Message, key: string): O.Option<JsonValue> => {
  const body = msg.body;
  if (!hasOwn(body, key)) return O.none;
  const value = (body as JsonObject)[key];
  return value === undefined ? O.none : O.some(value);
};

const toStringValue = (value: JsonValue): O.Option<string> => {
  switch (typeof value) {
    case 'string':
      return O.some(value);
    case 'number':
    case 'boolean':
      return O.some(String(value));
    default:
      return value === null ? O.none : O.some(JSON.stringify(value));
  }
};

const INTEGER_TEXT = /^[+-]?\d+$/;
const FLOAT_TEXT = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

/** `-0` reads back as `0`: it is not a value anyone means to send. */
const noNegativeZero = (n: number): number => (n === 0 ? 0 : n);

const toIntValue = (value: JsonValue): O.Option<number> => {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && INTEGER_TEXT.test(value)
        ? Number(value)
        : NaN;
  return Number.isSafeInteger(n) ? O.some(noNegativeZero(n)) : O.none;
};

const toFloatValue = (value: JsonValue): O.Option<number> => {
  const n =
    typeof value === 'number'
      ? value
      : typeof value === 'string' && FLOAT_TEXT.test(value)
        ? Number(value)
        : NaN;
  return Number.isFinite(n) ? O.some(noNegativeZero(n)) : O.none;
};

const TRUE_TEXT: ReadonlySet<string> = new Set(['true', 'True', 'TRUE', 't', 'T', '1']);
const FALSE_TEXT: ReadonlySet<string> = new Set(['false', 'False', 'FALSE', 'f', 'F', '0']);

const toBoolValue = (value: JsonValue): O.Option<boolean> => {
  if (typeof value === 'boolean') return O.some(value);
  if (typeof value !== 'string') return O.none;
  return TRUE_TEXT.has(value) ? O.some(true) : FALSE_TEXT.has(value) ? O.some(false) : O.none;
};

const reader =
  <A>(convert: (value: JsonValue) => O.Option<A>) =>
  (msg: Message, key: string): O.Option<A> =>
    O.chain(convert)(readValue(msg, key));

const readerOr =
  <A>(convert: (value: JsonValue) => O.Option<A>) =>
  (msg: Message, key: string, fallback: A): A =>
    O.getOrElse(() => fallback)(O.chain(convert)(readValue(msg, key)));

/** Reads `body[key]` with a conversion; `none` when missing, `null` or not convertible. */
export type Getter<A> = {
  (msg: Message, key: string): O.Option<A>;
  (key: string): (msg: Message) => O.Option<A>;
};

/** Reads `body[key]` with a conversion, or `fallback` when missing, `null` or not convertible. */
export type GetterOr<A> = {
  (msg: Message, key: string, fallback: A): A;
  (key: string, fallback: A): (msg: Message) => A;
};

/**
 * The value at `body[key]` exactly as it is (`some(null)` for an explicit `null`), or `none` when
 * the body has no own property `key`.
 *
 * @example
 * ```ts
 * import { getBodyValue } from 'rxmini';
 * getBodyValue({ type: 'event', body: { tags: ['a'] } }, 'tags'); // some(['a'])
 * getBodyValue({ type: 'event' }, 'tags'); // none
 * ```
 */
export const getBodyValue: Getter<JsonValue> = dual(2, readValue);

/**
 * `body[key]` as a string: strings as they are, numbers and booleans in their text form, arrays
 * and objects as JSON text. `none` when missing or `null`.
 *
 * @example
 * ```ts
 * import { pipe } from 'fp-ts/lib/function.js';
 * import { getString } from 'rxmini';
 * const msg = { type: 'request', body: { name: 'ada', age: 36 } };
 * getString(msg, 'age'); // some('36')
 * pipe(msg, getString('missing')); // none, never 'null'
 * ```
 */
export const getString: Getter<string> = dual(2, reader(toStringValue));

/**
 * `body[key]` as an integer: a number that is a safe integer, or a string of decimal digits with
 * an optional sign (`'42'`, `'-7'`). Nothing is truncated: `1.5`, `'1.5'` and `'1e3'` give `none`
 * (read them with {@link getFloat} and round as you see fit), as do integers beyond ±2^53.
 *
 * @example
 * ```ts
 * import { getInt } from 'rxmini';
 * getInt({ type: 'request', body: { page: '3' } }, 'page'); // some(3)
 * getInt({ type: 'request', body: { page: 2.5 } }, 'page'); // none
 * ```
 */
export const getInt: Getter<number> = dual(2, reader(toIntValue));

/**
 * `body[key]` as a finite number: a number, or a decimal string (`'2.5'`, `'-1e3'`). Hex,
 * `'Infinity'`, `'NaN'` and blank strings give `none`.
 *
 * @example
 * ```ts
 * import { getFloat } from 'rxmini';
 * getFloat({ type: 'request', body: { ratio: '0.75' } }, 'ratio'); // some(0.75)
 * ```
 */
export const getFloat: Getter<number> = dual(2, reader(toFloatValue));

/**
 * `body[key]` as a boolean: a boolean, or one of the strings Go's `strconv.ParseBool` accepts
 * (`true`/`false`, `True`/`False`, `TRUE`/`FALSE`, `t`/`f`, `T`/`F`, `1`/`0`). Numbers give `none`.
 *
 * @example
 * ```ts
 * import { getBool } from 'rxmini';
 * getBool({ type: 'request', body: { dryRun: 'true' } }, 'dryRun'); // some(true)
 * ```
 */
export const getBool: Getter<boolean> = dual(2, reader(toBoolValue));

/**
 * {@link getString}, or `fallback` when that gives `none`.
 *
 * @example
 * ```ts
 * import { getStringOr } from 'rxmini';
 * getStringOr({ type: 'request' }, 'lang', 'en'); // 'en'
 * ```
 */
export const getStringOr: GetterOr<string> = dual(3, readerOr(toStringValue));

/**
 * {@link getInt}, or `fallback` when that gives `none`.
 *
 * @example
 * ```ts
 * import { getIntOr } from 'rxmini';
 * getIntOr({ type: 'request', body: { limit: 'ten' } }, 'limit', 10); // 10
 * ```
 */
export const getIntOr: GetterOr<number> = dual(3, readerOr(toIntValue));

/**
 * {@link getFloat}, or `fallback` when that gives `none`.
 *
 * @example
 * ```ts
 * import { getFloatOr } from 'rxmini';
 * getFloatOr({ type: 'request' }, 'ratio', 1); // 1
 * ```
 */
export const getFloatOr: GetterOr<number> = dual(3, readerOr(toFloatValue));

/**
 * {@link getBool}, or `fallback` when that gives `none`.
 *
 * @example
 * ```ts
 * import { pipe } from 'fp-ts/lib/function.js';
 * import { getBoolOr } from 'rxmini';
 * pipe({ type: 'request' }, getBoolOr('verbose', false)); // false
 * ```
 */
export const getBoolOr: GetterOr<boolean> = dual(3, readerOr(toBoolValue));

/**
 * A copy of `msg` whose body has `key` set to `value` (the other keys are kept).
 *
 * @example
 * ```ts
 * import { newRequest, setBodyValue } from 'rxmini';
 * const req = setBodyValue(newRequest('auth.login'), 'email', 'a@b.c');
 * ```
 */
export const setBodyValue: {
  (msg: Message, key: string, value: JsonValue): Message;
  (key: string, value: JsonValue): (msg: Message) => Message;
} = dual(3, (msg: Message, key: string, value: JsonValue): Message => ({
  ...msg,
  body: { ...msg.body, [key]: value },
}));

/**
 * A copy of `msg` without `body[key]`.
 *
 * @example
 * ```ts
 * import { deleteBodyValue } from 'rxmini';
 * deleteBodyValue({ type: 'event', body: { a: 1, b: 2 } }, 'a'); // { type: 'event', body: { b: 2 } }
 * ```
 */
export const deleteBodyValue: {
  (msg: Message, key: string): Message;
  (key: string): (msg: Message) => Message;
} = dual(2, (msg: Message, key: string): Message => {
  if (!hasOwn(msg.body, key)) return msg;
  const body = { ...msg.body };
  delete body[key];
  return { ...msg, body };
});

/**
 * A copy of `msg` with its whole body replaced by `body`.
 *
 * @example
 * ```ts
 * import { newRequest, setBody } from 'rxmini';
 * const req = setBody(newRequest('auth.login'), { email: 'a@b.c', password: 'secret' });
 * ```
 */
export const setBody: {
  (msg: Message, body: JsonObject): Message;
  (body: JsonObject): (msg: Message) => Message;
} = dual(2, (msg: Message, body: JsonObject): Message => ({ ...msg, body }));

/**
 * A copy of `msg` carrying `bytes` as its raw body (sent verbatim in a binary frame).
 *
 * @example
 * ```ts
 * import { MessageType, newMessage, setRawBody } from 'rxmini';
 * const chunk = setRawBody(newMessage(MessageType.STREAM), new Uint8Array([1, 2, 3]));
 * ```
 */
export const setRawBody: {
  (msg: Message, bytes: Uint8Array): Message;
  (bytes: Uint8Array): (msg: Message) => Message;
} = dual(2, (msg: Message, bytes: Uint8Array): Message => ({ ...msg, rawBody: bytes }));

/**
 * The header `key` (matched exactly; rxmini's own keys are lower case), or `none`.
 *
 * @example
 * ```ts
 * import { HeaderKey, getHeader } from 'rxmini';
 * getHeader({ type: 'event', header: { traceparent: '00-…' } }, HeaderKey.TRACEPARENT); // some('00-…')
 * ```
 */
export const getHeader: {
  (msg: Message, key: string): O.Option<string>;
  (key: string): (msg: Message) => O.Option<string>;
} = dual(2, (msg: Message, key: string): O.Option<string> =>
  hasOwn(msg.header, key) ? O.fromNullable(msg.header?.[key]) : O.none,
);

/**
 * A copy of `msg` with header `key` set to `value`.
 *
 * @example
 * ```ts
 * import { pipe } from 'fp-ts/lib/function.js';
 * import { HeaderKey, newRequest, setHeader } from 'rxmini';
 * const req = pipe(newRequest('auth.login'), setHeader(HeaderKey.DEADLINE, '1500'));
 * ```
 */
export const setHeader: {
  (msg: Message, key: string, value: string): Message;
  (key: string, value: string): (msg: Message) => Message;
} = dual(3, (msg: Message, key: string, value: string): Message => ({
  ...msg,
  header: { ...msg.header, [key]: value },
}));
