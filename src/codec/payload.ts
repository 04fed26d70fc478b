/**
 * Payloads that are not rxmini messages: plain JSON, JSON checked by an io-ts
 * codec, or raw bytes, as producers and consumers that are not rxmini put them
 * on a topic.
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import type * as t from 'io-ts';
import { BadRequestError, DecodeError, type FieldIssue, type RxMiniErrorOptions } from '../errors.js';
import { toFieldIssues } from './issues.js';
import { isJsonValue, type JsonValue } from './json.js';
import type { PartialMessage } from './complete.js';

/**
 * What the bytes of a topic are, named:
 * - `'message'`: rxmini messages (the default);
 * - `'json'`: any JSON value (a producer that is not rxmini);
 * - `'bytes'`: anything, handed over as a `Uint8Array`.
 *
 * @example
 * ```ts
 * import type { PayloadFormat } from 'rxmini';
 * const format: PayloadFormat = 'json';
 * ```
 */
export type PayloadFormat = 'message' | 'json' | 'bytes';

/**
 * The `payload` option of a subscription: a {@link PayloadFormat}, or an io-ts
 * codec that checks a JSON payload (what it decodes to is the delivery's `input`).
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import type { Payload } from 'rxmini';
 * const Click = t.type({ x: t.number, y: t.number });
 * const payload: Payload = Click;
 * ```
 */
export type Payload = PayloadFormat | t.Decoder<unknown, unknown>;

/**
 * The `input` of a delivery consumed with `payload`: a `Uint8Array` for
 * `'bytes'`, a {@link JsonValue} for `'json'`, the codec's type for a codec,
 * `unknown` for `'message'` (the body is in `message`, and `validate` sets `input`).
 *
 * @example
 * ```ts
 * import type { PayloadInput } from 'rxmini';
 * const bytes: PayloadInput<'bytes'> = new Uint8Array([1, 2]);
 * ```
 */
export type PayloadInput<P> = P extends 'bytes'
  ? Uint8Array
  : P extends 'json'
    ? JsonValue
    : P extends t.Decoder<unknown, infer A>
      ? A
      : unknown;

/**
 * The `payload` option of `publish`: a {@link PayloadFormat}, or an io-ts codec
 * whose `encode` gives the JSON to send.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import type { PublishPayload } from 'rxmini';
 * const payload: PublishPayload = t.type({ id: t.number });
 * ```
 */
export type PublishPayload = PayloadFormat | t.Encoder<never, unknown>;

/**
 * What `publish` takes with `payload`: a {@link PartialMessage} for
 * `'message'`, a {@link JsonValue} for `'json'`, a `Uint8Array` for `'bytes'`,
 * the codec's type for a codec.
 *
 * @example
 * ```ts
 * import type { PublishValue } from 'rxmini';
 * const value: PublishValue<'json'> = [1, 'two'];
 * ```
 */
export type PublishValue<P> = P extends 'message'
  ? PartialMessage
  : P extends 'bytes'
    ? Uint8Array
    : P extends 'json'
      ? JsonValue
      : P extends t.Encoder<infer A, unknown>
        ? A
        : never;

/**
 * A payload that does not decode as its subscription's `payload` option says:
 * not UTF-8, not JSON, or JSON its codec refuses (every failing field in
 * `issues`), or no bytes at all. A {@link DecodeError}, so the retry policy
 * treats it as permanent by default: it goes to the dead-letter topic at once,
 * the original bytes in the dead letter's `rawBody` and this error's message
 * in its `x-error` header.
 *
 * @example
 * ```ts
 * import { PayloadDecodeError } from 'rxmini';
 * const error = new PayloadDecodeError('clicks', 'json', 'invalid JSON: Unexpected end of JSON input');
 * error.topic; // 'clicks'
 * ```
 */
export class PayloadDecodeError extends DecodeError {
  constructor(
    /** The topic the payload was consumed from. */
    readonly topic: string,
    /** What it was decoded as: `'json'`, `'bytes'`, or the codec's name. */
    readonly payload: string,
    reason: string,
    options?: RxMiniErrorOptions & { readonly issues?: readonly FieldIssue[] },
  ) {
    super(`payload of ${topic} as ${payload}: ${reason}`, options);
  }
}

const utf8Encoder = new TextEncoder();
const utf8Decoder = new TextDecoder('utf-8', { fatal: true });

const errorText = (error: unknown): string => (error instanceof Error ? error.message : String(error));

/** The name a payload option goes by in errors. @internal */
export const payloadName = (payload: Payload | PublishPayload): string =>
  typeof payload === 'string'
    ? payload
    : (((payload as { name?: unknown }).name as string | undefined) ?? 'codec');

/** True when `payload` is a valid subscription `payload` option. @internal */
export const isPayload = (payload: unknown): payload is Payload =>
  payload === 'message' ||
  payload === 'json' ||
  payload === 'bytes' ||
  (typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as { decode?: unknown }).decode === 'function');

/** True when `payload` is a valid `publish` `payload` option. @internal */
export const isPublishPayload = (payload: unknown): payload is PublishPayload =>
  payload === 'message' ||
  payload === 'json' ||
  payload === 'bytes' ||
  (typeof payload === 'object' &&
    payload !== null &&
    typeof (payload as { encode?: unknown }).encode === 'function');

const parseJson = (bytes: Uint8Array, topic: string, name: string): E.Either<PayloadDecodeError, unknown> => {
  let text: string;
  try {
    text = utf8Decoder.decode(bytes);
  } catch (error) {
    return E.left(new PayloadDecodeError(topic, name, 'invalid UTF-8', { cause: error }));
  }
  try {
    return E.right(JSON.parse(text) as unknown);
  } catch (error) {
    return E.left(new PayloadDecodeError(topic, name, `invalid JSON: ${errorText(error)}`, { cause: error }));
  }
};

/**
 * Decodes the bytes of a delivery from `topic` as `payload` says (`'message'`
 * is not a payload of raw bytes: use {@link decode}). Never throws: a codec
 * that throws gives a `Left` whose `cause` is what it threw.
 *
 * @internal
 */
export const decodePayloadBytes = <P extends Exclude<Payload, 'message'>>(
  bytes: Uint8Array | undefined,
  payload: P,
  topic: string,
): E.Either<PayloadDecodeError, PayloadInput<P>> => {
  const name = payloadName(payload);
  if (!(bytes instanceof Uint8Array)) {
    return E.left(new PayloadDecodeError(topic, name, 'the delivery carries no raw bytes'));
  }
  if (payload === 'bytes') return E.right(bytes as PayloadInput<P>);
  const parsed = parseJson(bytes, topic, name);
  if (payload === 'json' || E.isLeft(parsed)) return parsed as E.Either<PayloadDecodeError, PayloadInput<P>>;
  const codec = payload as t.Decoder<unknown, unknown>;
  let decoded: t.Validation<unknown>;
  try {
    decoded = codec.decode(parsed.right);
  } catch (error) {
    return E.left(
      new PayloadDecodeError(topic, name, `the codec threw: ${errorText(error)}`, { cause: error }),
    );
  }
  if (E.isRight(decoded)) return decoded as E.Either<never, PayloadInput<P>>;
  const issues = toFieldIssues(decoded.left);
  return E.left(new PayloadDecodeError(topic, name, issues.map((i) => i.message).join('; '), { issues }));
};

/**
 * The bytes `publish` sends for `value` under a `payload` that is not
 * `'message'`: UTF-8 JSON for `'json'` and for a codec (its `encode`d value),
 * the bytes themselves for `'bytes'`. A `BadRequestError` when `value` does
 * not fit: not JSON, not a `Uint8Array`, or a codec that throws or encodes to
 * something that is not JSON.
 *
 * @internal
 */
export const encodePayload = (
  value: unknown,
  payload: Exclude<PublishPayload, 'message'>,
): E.Either<BadRequestError, Uint8Array> => {
  if (payload === 'bytes') {
    return value instanceof Uint8Array
      ? E.right(value)
      : E.left(new BadRequestError('publish with payload bytes needs a Uint8Array'));
  }
  let json: unknown = value;
  if (payload !== 'json') {
    try {
      json = (payload as t.Encoder<unknown, unknown>).encode(value);
    } catch (error) {
      return E.left(
        new BadRequestError(`the payload codec ${payloadName(payload)} threw: ${errorText(error)}`, {
          cause: error,
        }),
      );
    }
  }
  if (!isJsonValue(json)) {
    return E.left(new BadRequestError(`publish with payload ${payloadName(payload)} needs a JSON value`));
  }
  return E.right(utf8Encoder.encode(JSON.stringify(json)));
};
