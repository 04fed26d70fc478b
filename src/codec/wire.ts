/**
 * Messages to bytes and back.
 *
 * A message without `rawBody` travels as plain UTF-8 JSON, readable by the Go original. A message
 * with `rawBody` travels as a binary frame, so the bytes need no base64:
 *
 * | offset | size | content |
 * |---|---|---|
 * | 0 | 4 | magic `00 52 58 01` (NUL, `R`, `X`, version 1); no JSON text starts with NUL |
 * | 4 | 4 | length N of the JSON header, unsigned big-endian |
 * | 8 | N | the message without `rawBody`, as UTF-8 JSON |
 * | 8 + N | rest | `rawBody`, verbatim |
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import { DecodeError, EmptyMessageError } from '../errors.js';
import { describeValue, toFieldIssues } from './issues.js';
import { Message } from './message.js';

/**
 * The first four bytes of a binary frame: NUL, `R`, `X`, then the frame version (1).
 *
 * @example
 * ```ts
 * import { FRAME_MAGIC, encode } from 'rxmini';
 * const bytes = encode({ type: 'stream', rawBody: new Uint8Array([1]) });
 * FRAME_MAGIC.every((b, i) => bytes[i] === b); // true
 * ```
 */
export const FRAME_MAGIC = [0x00, 0x52, 0x58, 0x01] as const;

const FRAME_PREFIX = 8;
const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

/** The JSON fields of a message in a fixed order, without `rawBody`. */
const jsonFields = (msg: Message): Omit<Message, 'rawBody'> => ({
  type: msg.type,
  node: msg.node,
  contextID: msg.contextID,
  replyTo: msg.replyTo,
  header: msg.header,
  body: msg.body,
  statusCode: msg.statusCode,
});

/**
 * Encodes `msg` for the wire: UTF-8 JSON, or a binary frame when it has a `rawBody` (even an
 * empty one). Fields that are `undefined` are left out. `msg` is trusted to be a valid
 * {@link Message}; a body that is not JSON (a `bigint`, a cycle) makes `JSON.stringify` throw —
 * check untrusted values with `Message.is` or {@link validate} first.
 *
 * @example
 * ```ts
 * import { encode, newRequest } from 'rxmini';
 * const bytes = encode(newRequest('auth.login'));
 * new TextDecoder().decode(bytes); // '{"type":"request","node":"auth.login","contextID":"…"}'
 * ```
 * @see {@link decode}
 */
export const encode = (msg: Message): Uint8Array => encodeInto(msg, newBytes);

const newBytes = (size: number): Uint8Array => new Uint8Array(size);

/**
 * {@link encode}, with a binary frame written into the memory `allocate`
 * returns for its size (exactly that many bytes, every one of them written
 * over). Internal: the transport reuses the memory of large frames the broker
 * is done with.
 */
export const encodeInto = (msg: Message, allocate: (size: number) => Uint8Array): Uint8Array => {
  const json = utf8Encoder.encode(JSON.stringify(jsonFields(msg)));
  const raw = msg.rawBody;
  if (raw === undefined) return json;
  const frame = allocate(FRAME_PREFIX + json.length + raw.length);
  frame.set(FRAME_MAGIC, 0);
  new DataView(frame.buffer, frame.byteOffset, frame.byteLength).setUint32(4, json.length, false);
  frame.set(json, FRAME_PREFIX);
  frame.set(raw, FRAME_PREFIX + json.length);
  return frame;
};

const fail = (reason: string, cause?: unknown): E.Either<DecodeError, never> =>
  E.left(new DecodeError(reason, cause === undefined ? undefined : { cause }));

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

const parseJson = (bytes: Uint8Array, where: string): E.Either<DecodeError, unknown> => {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch (error) {
    return fail(`invalid UTF-8${where}`, error);
  }
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch (error) {
    return fail(`invalid JSON${where}: ${errorText(error)}`, error);
  }
};

const decodeValue = (value: unknown): E.Either<DecodeError, Message> => {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail(`expected a JSON object, got ${describeValue(value)}`);
  }
  const result = Message.decode(value);
  if (E.isRight(result)) return result;
  const issues = toFieldIssues(result.left);
  return E.left(
    new DecodeError(`invalid message fields: ${issues.map((i) => i.message).join('; ')}`, { issues }),
  );
};

const hex = (bytes: Uint8Array): string =>
  Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');

const decodeFrame = (bytes: Uint8Array, keep: boolean): E.Either<DecodeError, Message> => {
  if (bytes.length < 4 || bytes[1] !== FRAME_MAGIC[1] || bytes[2] !== FRAME_MAGIC[2]) {
    return fail(`not JSON and not an rxmini frame (starts ${hex(bytes.subarray(0, 4))})`);
  }
  if (bytes[3] !== FRAME_MAGIC[3]) return fail(`unsupported frame version ${bytes[3] ?? ''}`);
  if (bytes.length < FRAME_PREFIX) {
    return fail(`truncated frame: ${bytes.length} bytes, the frame prefix alone is ${FRAME_PREFIX}`);
  }
  const headerLength = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(4, false);
  const available = bytes.length - FRAME_PREFIX;
  if (headerLength > available) {
    return fail(`truncated frame: header length ${headerLength} exceeds the ${available} bytes that follow`);
  }
  const headerBytes = bytes.subarray(FRAME_PREFIX, FRAME_PREFIX + headerLength);
  // plain branches, not E.chain/E.map: fp-ts's data-last helpers copy their arguments on every call
  const parsed = parseJson(headerBytes, ' in frame header');
  if (E.isLeft(parsed)) return parsed;
  const header = parsed.right;
  if (
    typeof header === 'object' &&
    header !== null &&
    Object.prototype.hasOwnProperty.call(header, 'rawBody')
  ) {
    return fail('frame header must not contain rawBody: the raw bytes follow the header');
  }
  const decoded = decodeValue(header);
  if (E.isLeft(decoded)) return decoded;
  const start = FRAME_PREFIX + headerLength;
  // a plain Uint8Array even when the input is a Node Buffer (whose slice would be a Buffer again);
  // a copy unless the caller gave the bytes up: the message must not pin, or see later writes to, its buffer
  const rawBody = keep
    ? new Uint8Array(bytes.buffer, bytes.byteOffset + start, bytes.length - start)
    : new Uint8Array(bytes.subarray(start));
  return E.right({ ...decoded.right, rawBody });
};

const decodeBytes = (bytes: Uint8Array, keep: boolean): E.Either<DecodeError, Message> => {
  try {
    if (!(bytes instanceof Uint8Array)) return fail(`expected a Uint8Array, got ${describeValue(bytes)}`);
    if (bytes.length === 0) return fail('empty frame', new EmptyMessageError());
    if (bytes[0] === FRAME_MAGIC[0]) return decodeFrame(bytes, keep);
    const parsed = parseJson(bytes, '');
    return E.isLeft(parsed) ? parsed : decodeValue(parsed.right);
  } catch (error) {
    return fail(`unexpected failure: ${errorText(error)}`, error);
  }
};

/**
 * Decodes bytes off the wire into a {@link Message}. Never throws: empty input, invalid UTF-8 or
 * JSON, JSON that is not an object, fields of the wrong type (every one listed in `issues` with its
 * path), unknown frame versions and truncated frames all give a `Left` with a {@link DecodeError}.
 * Bad input is rejected, never repaired.
 *
 * @example
 * ```ts
 * import { isRight } from 'fp-ts/lib/Either.js';
 * import { decode, encode, newRequest } from 'rxmini';
 * const result = decode(encode(newRequest('auth.login')));
 * isRight(result); // true
 * decode(new Uint8Array()); // Left(DecodeError: cannot decode message: empty frame)
 * ```
 * @see {@link encode}
 */
export const decode = (bytes: Uint8Array): E.Either<DecodeError, Message> => decodeBytes(bytes, false);

/**
 * {@link decode} for bytes the caller gives up (memory of their own that
 * nobody writes to again, such as a delivery's `exclusiveBody`): a binary
 * frame's `rawBody` is then a plain `Uint8Array` view of `bytes`, not a copy.
 * Internal: the transport uses it for such deliveries.
 */
export const decodeHandedOver = (bytes: Uint8Array): E.Either<DecodeError, Message> =>
  decodeBytes(bytes, true);

/**
 * Decodes an already-parsed value (from `JSON.parse`, or built in memory) into a {@link Message},
 * with the same checks and the same never-throwing contract as {@link decode}.
 *
 * @example
 * ```ts
 * import { decodeJson } from 'rxmini';
 * decodeJson({ type: 'request', statusCode: 'ok' });
 * // Left(DecodeError: cannot decode message: invalid message fields: statusCode: expected integer, got string "ok")
 * ```
 */
export const decodeJson = (value: unknown): E.Either<DecodeError, Message> => {
  try {
    return decodeValue(value);
  } catch (error) {
    return fail(`unexpected failure: ${errorText(error)}`, error);
  }
};
