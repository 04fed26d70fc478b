/**
 * JSON values as io-ts codecs: what a message body may hold.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { MAX_JSON_DEPTH } from '../constant/limits.js';
import { describeValue } from './issues.js';

/**
 * A value that survives `JSON.stringify` then `JSON.parse` unchanged: `null`, a boolean, a
 * finite number, a string, or an array or plain object of JSON values.
 *
 * @example
 * ```ts
 * import type { JsonValue } from 'rxmini';
 * const value: JsonValue = { items: [1, 'two', null], ok: true };
 * ```
 * @see {@link isJsonValue}
 */
export type JsonValue = null | boolean | number | string | JsonArray | JsonObject;

/**
 * An array of {@link JsonValue}s (readonly, so `as const` arrays fit too).
 *
 * @example
 * ```ts
 * import type { JsonArray } from 'rxmini';
 * const tags: JsonArray = ['a', 1, null];
 * ```
 */
// Interfaces, not aliases: recursive aliases make deep mapped types (jasmine's `toEqual`) blow up.
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface JsonArray extends ReadonlyArray<JsonValue> {}

/**
 * A plain object whose values are {@link JsonValue}s, such as a message body.
 *
 * @example
 * ```ts
 * import type { JsonObject } from 'rxmini';
 * const body: JsonObject = { email: 'a@b.c', attempts: 3 };
 * ```
 */
export interface JsonObject {
  readonly [key: string]: JsonValue;
}

const isPlainObject = (value: object): boolean => {
  const proto: unknown = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
};

interface Failure {
  readonly path: readonly string[];
  readonly value: unknown;
  readonly message: string;
}

/**
 * Walks `value` and reports every place that is not JSON. `stopAtFirst` turns it into a cheap
 * predicate. Objects already checked are skipped, so shared sub-objects cost one visit; an object
 * met again on its own path is a cycle.
 */
const jsonFailures = (value: unknown, stopAtFirst: boolean): Failure[] => {
  const failures: Failure[] = [];
  const visited = new Set<object>();
  const onPath = new Set<object>();
  const path: string[] = [];
  const fail = (v: unknown, message: string): void => {
    failures.push({ path: [...path], value: v, message });
  };
  const walk = (v: unknown, depth: number): void => {
    if (v === null || typeof v === 'string' || typeof v === 'boolean') return;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) fail(v, `expected a finite number, got ${String(v)}`);
      return;
    }
    if (typeof v !== 'object') {
      fail(v, `expected a JSON value, got ${describeValue(v)}`);
      return;
    }
    if (onPath.has(v)) {
      fail(v, 'circular reference');
      return;
    }
    if (visited.has(v)) return;
    if (depth > MAX_JSON_DEPTH) {
      fail(v, `nested deeper than ${MAX_JSON_DEPTH} levels`);
      return;
    }
    const isArray = Array.isArray(v);
    if (!isArray && !isPlainObject(v)) {
      fail(v, `expected a plain object, got ${Object.prototype.toString.call(v).slice(8, -1)}`);
      return;
    }
    visited.add(v);
    onPath.add(v);
    if (isArray) {
      for (let i = 0; i < v.length && !(stopAtFirst && failures.length > 0); i++) {
        path.push(String(i));
        walk(v[i], depth + 1);
        path.pop();
      }
    } else {
      const record = v as Record<string, unknown>;
      for (const key of Object.keys(record)) {
        if (stopAtFirst && failures.length > 0) break;
        path.push(key);
        walk(record[key], depth + 1);
        path.pop();
      }
    }
    onPath.delete(v);
  };
  walk(value, 1);
  return failures;
};

/**
 * Most nodes {@link surelyJson} visits before it gives up and leaves the value to
 * {@link jsonFailures}, whose visited set keeps shared sub-objects linear.
 */
const FAST_CHECK_BUDGET = 10_000;

let fastBudget = 0;

const surelyJsonAt = (v: unknown, depth: number): boolean => {
  switch (typeof v) {
    case 'string':
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v);
    case 'object':
      break;
    default:
      return false;
  }
  if (v === null) return true;
  fastBudget -= 1;
  if (depth > MAX_JSON_DEPTH || fastBudget < 0) return false;
  if (Array.isArray(v)) {
    for (let i = 0; i < v.length; i++) if (!surelyJsonAt(v[i], depth + 1)) return false;
    return true;
  }
  if (!isPlainObject(v)) return false;
  const record = v as Record<string, unknown>;
  for (const key of Object.keys(record)) if (!surelyJsonAt(record[key], depth + 1)) return false;
  return true;
};

/**
 * The common case without allocating: true when `value` is certainly JSON;
 * false when it is not, or when it cannot tell cheaply (a cycle shows up as too
 * deep; a large or heavily shared value exhausts the budget). Synchronous, so
 * the module-level budget is never shared by two checks.
 */
const surelyJson = (value: unknown): boolean => {
  fastBudget = FAST_CHECK_BUDGET;
  return surelyJsonAt(value, 1);
};

const NO_FAILURES: Failure[] = [];

const jsonFailuresOf = (value: unknown, objectOnly: boolean, stopAtFirst: boolean): Failure[] => {
  if (objectOnly && (typeof value !== 'object' || value === null || Array.isArray(value))) {
    return [{ path: [], value, message: `expected a JSON object, got ${describeValue(value)}` }];
  }
  // callers only read the result: the shared empty array is never written to
  return surelyJson(value) ? NO_FAILURES : jsonFailures(value, stopAtFirst);
};

/**
 * True when `value` is a {@link JsonValue}. Rejects `undefined`, functions, bigints, `NaN`,
 * `Infinity`, class instances (`Date`, `Map`, …), cycles and nesting deeper than
 * {@link MAX_JSON_DEPTH}.
 *
 * @example
 * ```ts
 * import { isJsonValue } from 'rxmini';
 * isJsonValue({ a: [1, 2] }); // true
 * isJsonValue({ when: new Date() }); // false
 * ```
 */
export const isJsonValue = (value: unknown): value is JsonValue =>
  jsonFailuresOf(value, false, true).length === 0;

/** Names the nested positions of a JSON failure; only its `name` is ever read. */
const jsonPosition = new t.Type<unknown>('JsonValue', t.unknown.is, t.success, t.identity);

const jsonCodec = <A>(name: string, objectOnly: boolean): t.Type<A, A, unknown> =>
  new t.Type<A, A, unknown>(
    name,
    (u): u is A => jsonFailuresOf(u, objectOnly, true).length === 0,
    (u, context) => {
      const failures = jsonFailuresOf(u, objectOnly, false);
      if (failures.length === 0) return t.success(u as A);
      return t.failures(
        failures.map((f) => ({
          value: f.value,
          message: f.message,
          context: [...context, ...f.path.map((key) => ({ key, type: jsonPosition, actual: f.value }))],
        })),
      );
    },
    t.identity,
  );

/**
 * io-ts codec of a {@link JsonValue}; failures name the path of every non-JSON part.
 *
 * @example
 * ```ts
 * import { JsonValue } from 'rxmini';
 * JsonValue.is([1, { a: null }]); // true
 * ```
 */
export const JsonValue: t.Type<JsonValue, JsonValue, unknown> = jsonCodec<JsonValue>('JsonValue', false);

/**
 * io-ts codec of a {@link JsonObject}: a plain object of JSON values (a message body).
 *
 * @example
 * ```ts
 * import { JsonObject } from 'rxmini';
 * JsonObject.is({ a: 1 }); // true
 * JsonObject.is([1]); // false
 * ```
 */
export const JsonObject: t.Type<JsonObject, JsonObject, unknown> = jsonCodec<JsonObject>('JsonObject', true);
