/**
 * Deep copies of messages.
 *
 * @packageDocumentation
 */
import type { JsonObject, JsonValue } from './json.js';
import type { Message } from './message.js';

const copyJson = (value: JsonValue): JsonValue => {
  if (typeof value !== 'object' || value === null) return value;
  if (Array.isArray(value)) return value.map(copyJson);
  return copyObject(value as JsonObject);
};

// fromEntries defines own properties, so a `__proto__` key stays data and never sets a prototype.
const copyObject = (value: JsonObject): JsonObject =>
  Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyJson(v)]));

/**
 * A deep copy of `msg`: a new header map, a new body at every level, and a new `rawBody` buffer,
 * so nothing is shared with the original (the Go original shared body values).
 *
 * @example
 * ```ts
 * import { copy } from 'rxmini';
 * const a = { type: 'event', body: { tags: ['x'] }, rawBody: new Uint8Array([1]) };
 * const b = copy(a);
 * b.rawBody![0] = 9; // a.rawBody[0] is still 1
 * ```
 */
export const copy = (msg: Message): Message => {
  const out: Message = { ...msg };
  if (msg.header !== undefined) out.header = { ...msg.header };
  if (msg.body !== undefined) out.body = copyObject(msg.body);
  if (msg.rawBody !== undefined) out.rawBody = msg.rawBody.slice();
  return out;
};
