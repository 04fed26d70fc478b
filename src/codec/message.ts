/**
 * The rxmini message: its io-ts codec, its type and its constructors.
 *
 * @packageDocumentation
 */
import * as t from 'io-ts';
import { MessageType } from '../constant/messageType.js';
import { StatusCode } from '../constant/status.js';
import { describeValue } from './issues.js';
import { JsonObject } from './json.js';

const isPlainRecord = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== 'object' || u === null || Array.isArray(u)) return false;
  const proto: unknown = Object.getPrototypeOf(u);
  return proto === Object.prototype || proto === null;
};

const isStringMap = (u: unknown): u is Record<string, string> => {
  if (!isPlainRecord(u)) return false;
  for (const key of Object.keys(u)) if (typeof u[key] !== 'string') return false;
  return true;
};

/** A plain object of string values; failures name each bad key. */
const StringMap = new t.Type<Record<string, string>, Record<string, string>, unknown>(
  'StringMap',
  isStringMap,
  (u, context) => {
    if (!isPlainRecord(u))
      return t.failure(u, context, `expected a plain object of strings, got ${describeValue(u)}`);
    const bad = Object.keys(u).filter((key) => typeof u[key] !== 'string');
    if (bad.length === 0) return t.success(u as Record<string, string>);
    return t.failures(
      bad.map((key) => ({
        value: u[key],
        context: [...context, { key, type: t.string, actual: u[key] }],
        message: `expected string, got ${describeValue(u[key])}`,
      })),
    );
  },
  t.identity,
);

/** `Uint8Array`, or a base64 string as the Go original writes `rawBody` in JSON. */
const Bytes = new t.Type<Uint8Array, Uint8Array, unknown>(
  'Uint8Array',
  (u): u is Uint8Array => u instanceof Uint8Array,
  (u, context) => {
    if (u instanceof Uint8Array) return t.success(u);
    if (typeof u !== 'string') return t.failure(u, context);
    try {
      const binary = atob(u);
      const bytes = new Uint8Array(binary.length);
      for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
      return t.success(bytes);
    } catch {
      return t.failure(u, context, 'expected bytes or a base64 string, got a string that is not base64');
    }
  },
  t.identity,
);

/** A safe integer, kept as a plain `number`. */
const Integer = new t.Type<number, number, unknown>(
  'integer',
  (u): u is number => typeof u === 'number' && Number.isSafeInteger(u),
  (u, context) => (typeof u === 'number' && Number.isSafeInteger(u) ? t.success(u) : t.failure(u, context)),
  t.identity,
);

/** The structure of a message, checked field by field by io-ts (used to explain failures). */
const MessageFields = t.exact(
  t.intersection([
    t.type({ type: t.string }),
    t.partial({
      node: t.string,
      contextID: t.string,
      replyTo: t.string,
      header: StringMap,
      body: JsonObject,
      rawBody: Bytes,
      statusCode: Integer,
    }),
  ]),
  'Message',
);

type MessageFields = t.TypeOf<typeof MessageFields>;

const STRING_FIELDS = ['node', 'contextID', 'replyTo'] as const;

/** An object whose `toString` tag is `Object`; plain objects (the usual case) skip the tag lookup. */
const isObjectRecord = (u: unknown): u is Record<string, unknown> => {
  if (typeof u !== 'object' || u === null) return false;
  const proto: unknown = Object.getPrototypeOf(u);
  return (
    proto === Object.prototype || proto === null || Object.prototype.toString.call(u) === '[object Object]'
  );
};

/**
 * The common case without io-ts's generic machinery (about twice as fast): a well-formed message
 * in memory form. `undefined` when anything is off, and then io-ts runs to say what.
 */
const fastDecode = (u: unknown): MessageFields | undefined => {
  if (!isObjectRecord(u)) return undefined;
  const record = u as Record<string, unknown>;
  if (typeof record['type'] !== 'string') return undefined;
  const msg: Record<string, unknown> = { type: record['type'] };
  for (const key of STRING_FIELDS) {
    const value = record[key];
    if (value === undefined) continue;
    if (typeof value !== 'string') return undefined;
    msg[key] = value;
  }
  const { header, body, rawBody, statusCode } = record;
  if (header !== undefined) {
    if (!isStringMap(header)) return undefined;
    msg['header'] = header;
  }
  if (body !== undefined) {
    if (!JsonObject.is(body)) return undefined;
    msg['body'] = body;
  }
  if (rawBody !== undefined) {
    if (!(rawBody instanceof Uint8Array)) return undefined;
    msg['rawBody'] = rawBody;
  }
  if (statusCode !== undefined) {
    if (!Integer.is(statusCode)) return undefined;
    msg['statusCode'] = statusCode;
  }
  return msg as MessageFields;
};

/** What {@link fastDecode} accepts, checked without building anything (for `Message.is` and the send path). */
export const hasMessageShape = (u: unknown): boolean => {
  if (!isObjectRecord(u)) return false;
  const record = u as Record<string, unknown>;
  if (typeof record['type'] !== 'string') return false;
  for (const key of STRING_FIELDS) {
    const value = record[key];
    if (value !== undefined && typeof value !== 'string') return false;
  }
  const { header, body, rawBody, statusCode } = record;
  return (
    (header === undefined || isStringMap(header)) &&
    (body === undefined || JsonObject.is(body)) &&
    (rawBody === undefined || rawBody instanceof Uint8Array) &&
    (statusCode === undefined || Integer.is(statusCode))
  );
};

/**
 * io-ts codec of a {@link Message}. Field names are the Go original's JSON names, so both speak
 * the same JSON:
 *
 * - `type` (required): what kind of message this is, one of {@link MessageType} for rxmini's own traffic
 * - `node`: the target action or route (`auth.login`)
 * - `contextID`: conversation id; a response carries the id of its request
 * - `replyTo`: where the response to this request should go
 * - `header`: string metadata such as trace context and deadline (see {@link HeaderKey})
 * - `body`: the JSON payload, a {@link JsonObject}
 * - `rawBody`: an opaque binary payload, sent verbatim (see {@link encode})
 * - `statusCode`: outcome of a response, a safe integer, HTTP numbering (see {@link StatusCode})
 *
 * Unknown fields are dropped; `null` is not accepted for an absent field. `rawBody` also decodes
 * from a base64 string (what the Go original writes in JSON).
 *
 * @example
 * ```ts
 * import { Message } from 'rxmini';
 * const result = Message.decode({ type: 'request', node: 'auth.login', body: { email: 'a@b.c' } });
 * // Right({ type: 'request', node: 'auth.login', body: { email: 'a@b.c' } })
 * ```
 * @see {@link decode} for bytes off the wire.
 */
export const Message = new t.Type<MessageFields, MessageFields, unknown>(
  'Message',
  (u): u is MessageFields => hasMessageShape(u),
  (u, context) => {
    const fast = fastDecode(u);
    if (fast !== undefined) return t.success(fast);
    // An empty key keeps paths clean while toFieldIssues still sees the intersection as parent.
    return MessageFields.validate(u, [...context, { key: '', type: MessageFields, actual: u }]);
  },
  t.identity,
);

/**
 * An rxmini message. Functions in this module never mutate one; they return a new message.
 *
 * @example
 * ```ts
 * import type { Message } from 'rxmini';
 * const msg: Message = { type: 'event', node: 'user.created', body: { id: 7 } };
 * ```
 */
export type Message = t.TypeOf<typeof Message>;

const hex = (bytes: Uint8Array): string => Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');

/**
 * A fresh random conversation id, a version 4 UUID (`crypto.randomUUID` where available, which
 * browsers offer only on secure origins; `crypto.getRandomValues` otherwise).
 *
 * @example
 * ```ts
 * import { newContextID } from 'rxmini';
 * newContextID(); // e.g. '3b241101-e2bb-4255-8caf-4136c566a962'
 * ```
 */
export const newContextID = (): string => {
  const crypto = globalThis.crypto;
  if (typeof crypto?.randomUUID === 'function') return crypto.randomUUID();
  const bytes = new Uint8Array(16);
  if (typeof crypto?.getRandomValues === 'function') crypto.getRandomValues(bytes);
  else for (let i = 0; i < bytes.length; i++) bytes[i] = Math.floor(Math.random() * 256);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const h = hex(bytes);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/**
 * A new message of `type` with a fresh {@link newContextID} (pass one to keep a conversation).
 *
 * @example
 * ```ts
 * import { MessageType, newMessage } from 'rxmini';
 * const evt = newMessage(MessageType.EVENT); // { type: 'event', contextID: '…uuid…' }
 * ```
 */
// `string & {}` keeps editor completion for the known types while accepting any string.
export const newMessage = (type: MessageType | (string & {}), contextID?: string): Message => ({
  type,
  contextID: contextID === undefined || contextID === '' ? newContextID() : contextID,
});

/**
 * A new request to action `node`. A missing or empty `contextID` is replaced by a fresh UUID.
 *
 * @example
 * ```ts
 * import { newRequest } from 'rxmini';
 * const req = newRequest('auth.login'); // { type: 'request', node: 'auth.login', contextID: '…uuid…' }
 * ```
 */
export const newRequest = (node: string, contextID?: string): Message => ({
  ...newMessage(MessageType.REQUEST, contextID),
  node,
});

/**
 * A new response in conversation `contextID` with `statusCode` (200 when omitted).
 *
 * @example
 * ```ts
 * import { StatusCode, newResponse } from 'rxmini';
 * const reply = newResponse('3b241101-e2bb-4255-8caf-4136c566a962', StatusCode.NOT_FOUND);
 * ```
 */
export const newResponse = (contextID: string, statusCode: number = StatusCode.OK): Message => ({
  type: MessageType.RESPONSE,
  contextID,
  statusCode,
});
