/**
 * The Go `mini`'s wire form, for a transport with `compat: 'go-mini'`: every
 * message is plain JSON as Go's `encoding/json` writes the original's
 * `codec.Message`, raw bytes included (base64 in `rawBody`), and what Go
 * sends decodes although it leaves `type` out.
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import { MessageType } from '../constant/messageType.js';
import { DecodeError } from '../errors.js';
import type { Message } from './message.js';
import { decode, decodeJson } from './wire.js';

/** The type the Go `mini` gives a health request; rxmini's is `health`. */
export const GO_HEALTH_CHECK_TYPE = 'healthCheck';

const aliased = (msg: Message): Message =>
  msg.type === GO_HEALTH_CHECK_TYPE ? { ...msg, type: MessageType.HEALTH } : msg;

/** Options of {@link decodeGoMini}. */
export interface GoMiniDecodeOptions {
  /** The type of a message that has none (Go leaves an empty `type` out); default `'event'`. */
  readonly defaultType?: string;
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** Base64 of `bytes` (standard alphabet, padded), as Go's `encoding/json` writes a `[]byte`. */
export const toBase64 = (bytes: Uint8Array): string => {
  let binary = '';
  // in slices: String.fromCharCode takes its arguments on the stack
  for (let i = 0; i < bytes.length; i += 0x8000) {
    binary += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  }
  return btoa(binary);
};

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** Go writes the keys of a map sorted; a replacer that sorts makes JSON.stringify do the same. */
const sortedKeys = (_key: string, value: unknown): unknown => {
  if (!isPlainObject(value)) return value;
  const sorted: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) sorted[key] = value[key];
  return sorted;
};

/** Go's `encoding/json` escapes these by default (HTML safety, and JavaScript line terminators). */
const GO_ESCAPED = /[<>&\u2028\u2029]/g;
const goEscape = (char: string): string => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`;

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value === '' ? undefined : value;

const nonEmptyMap = <T extends object>(value: T | undefined): T | undefined =>
  value === undefined || Object.keys(value).length === 0 ? undefined : value;

/**
 * Encodes `msg` as the Go `mini` writes its `codec.Message`: UTF-8 JSON, the
 * fields in Go's order (`type`, `node`, `contextID`, `replyTo`, `header`,
 * `body`, `rawBody`, `statusCode`), each left out when empty (Go's
 * `omitempty`: `""`, an empty map, no bytes, status 0), `rawBody` as base64,
 * the keys of `header` and `body` sorted and `<`, `>`, `&` escaped as Go does.
 * Never the binary frame. Throws as `JSON.stringify` does on a body that is not JSON.
 *
 * @example
 * ```ts
 * import { encodeGoMini } from 'rxmini';
 * const bytes = encodeGoMini({ type: 'stream', contextID: 'c-1', rawBody: new Uint8Array([0, 1, 2]) });
 * new TextDecoder().decode(bytes); // '{"type":"stream","contextID":"c-1","rawBody":"AAEC"}'
 * ```
 * @see {@link decodeGoMini}
 */
export const encodeGoMini = (msg: Message): Uint8Array => {
  const raw = msg.rawBody;
  const fields = {
    type: nonEmpty(msg.type),
    node: nonEmpty(msg.node),
    contextID: nonEmpty(msg.contextID),
    replyTo: nonEmpty(msg.replyTo),
    header: nonEmptyMap(msg.header),
    body: nonEmptyMap(msg.body),
    rawBody: raw === undefined || raw.length === 0 ? undefined : toBase64(raw),
    statusCode: msg.statusCode === 0 ? undefined : msg.statusCode,
  };
  // the fields in Go's struct order (a replacer that sorts would sort them too), each map sorted
  let json = '';
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    json += `${json === '' ? '{' : ','}"${key}":${JSON.stringify(value, sortedKeys)}`;
  }
  return utf8Encoder.encode(`${json === '' ? '{' : json}}`.replace(GO_ESCAPED, goEscape));
};

/**
 * Decodes what the Go `mini` (or a producer of plain JSON in its form) puts on
 * the wire: as {@link decode}, but a message without `type` (or with `""`)
 * gets `defaultType`, and `healthCheck` becomes `health`. `rawBody` as base64
 * decodes as it does in {@link decode}; rxmini's binary frame is still
 * understood, for peers in strict mode. Never throws: a `Left` with a
 * {@link DecodeError} for what is not such a message.
 *
 * @example
 * ```ts
 * import { decodeGoMini } from 'rxmini';
 * decodeGoMini(new TextEncoder().encode('{"contextID":"null","body":{"hello":"world"}}'));
 * // Right({ type: 'event', contextID: 'null', body: { hello: 'world' } })
 * ```
 * @see {@link encodeGoMini}
 */
export const decodeGoMini = (
  bytes: Uint8Array,
  options: GoMiniDecodeOptions = {},
): E.Either<DecodeError, Message> => {
  const defaultType = options.defaultType ?? MessageType.EVENT;
  // empty, not bytes, a frame: what decode says
  if (!(bytes instanceof Uint8Array) || bytes.length === 0 || bytes[0] === 0) {
    const decoded = decode(bytes);
    return E.isLeft(decoded) ? decoded : E.right(aliased(decoded.right));
  }
  let value: unknown;
  try {
    value = JSON.parse(utf8Decoder.decode(bytes)) as unknown;
  } catch (error) {
    // the same text decode would give
    const strict = decode(bytes);
    return E.isLeft(strict)
      ? strict
      : E.left(new DecodeError(`invalid JSON: ${String(error)}`, { cause: error }));
  }
  if (isPlainObject(value)) {
    const type = value['type'];
    if (type === undefined || type === '') value['type'] = defaultType;
    else if (type === GO_HEALTH_CHECK_TYPE) value['type'] = MessageType.HEALTH;
  }
  return decodeJson(value);
};
