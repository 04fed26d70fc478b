/**
 * The outcome of a request: `body.result` and `body.error`.
 *
 * @packageDocumentation
 */
import * as E from 'fp-ts/lib/Either.js';
import * as O from 'fp-ts/lib/Option.js';
import type * as t from 'io-ts';
import { BodyKey } from '../constant/bodyKey.js';
import { ValidationError } from '../errors.js';
import { deleteBodyValue, getBodyValue, getString, setBodyValue } from './accessors.js';
import { dual } from './dual.js';
import { toFieldIssues } from './issues.js';
import type { JsonValue } from './json.js';
import type { Message } from './message.js';

/**
 * A copy of `msg` with `body.result` set to `value`.
 *
 * @example
 * ```ts
 * import { newResponse, setResult } from 'rxmini';
 * const reply = setResult(newResponse('3b241101-e2bb-4255-8caf-4136c566a962', 200), { token: 'jwt123' });
 * ```
 */
export const setResult: {
  (msg: Message, value: JsonValue): Message;
  (value: JsonValue): (msg: Message) => Message;
} = dual(2, (msg: Message, value: JsonValue): Message => setBodyValue(msg, BodyKey.RESULT, value));

/**
 * `body.result` as it is: `some(null)` when the result is an explicit `null`, `none` when absent.
 *
 * @example
 * ```ts
 * import { getResult } from 'rxmini';
 * getResult({ type: 'response', body: { result: { token: 'jwt123' } } }); // some({ token: 'jwt123' })
 * ```
 * @see {@link decodeResult} to check its shape.
 */
export const getResult = (msg: Message): O.Option<JsonValue> => getBodyValue(msg, BodyKey.RESULT);

/**
 * `body.result` checked by `codec`: `Right` with the decoded value, or `Left` with a
 * {@link ValidationError} whose issue paths start with `result`. A missing result is decoded as
 * `undefined`, so it fails unless the codec allows `undefined`.
 *
 * @example
 * ```ts
 * import * as t from 'io-ts';
 * import { decodeResult } from 'rxmini';
 * const token = decodeResult({ type: 'response', body: { result: { token: 'x' } } }, t.type({ token: t.string }));
 * // Right({ token: 'x' })
 * ```
 */
export const decodeResult: {
  <A>(msg: Message, codec: t.Decoder<unknown, A>): E.Either<ValidationError, A>;
  <A>(codec: t.Decoder<unknown, A>): (msg: Message) => E.Either<ValidationError, A>;
} = dual(2, <A>(msg: Message, codec: t.Decoder<unknown, A>): E.Either<ValidationError, A> =>
  E.mapLeft(
    (errors: t.Errors) => new ValidationError(toFieldIssues(errors, BodyKey.RESULT), { subject: 'result' }),
  )(codec.decode(O.toUndefined(getResult(msg)))),
);

/**
 * A copy of `msg` with `body.error` set to the error's message (or to the string itself).
 *
 * @example
 * ```ts
 * import { newResponse, setError } from 'rxmini';
 * const reply = setError(newResponse('3b241101-e2bb-4255-8caf-4136c566a962', 500), new Error('db down'));
 * // reply.body → { error: 'db down' }
 * ```
 */
export const setError: {
  (msg: Message, error: Error | string): Message;
  (error: Error | string): (msg: Message) => Message;
} = dual(2, (msg: Message, error: Error | string): Message =>
  setBodyValue(msg, BodyKey.ERROR, typeof error === 'string' ? error : error.message || error.name),
);

/**
 * A copy of `msg` without `body.error`.
 *
 * @example
 * ```ts
 * import { clearError } from 'rxmini';
 * clearError({ type: 'response', body: { error: 'boom', result: 1 } }); // body → { result: 1 }
 * ```
 */
export const clearError = (msg: Message): Message => deleteBodyValue(msg, BodyKey.ERROR);

/**
 * `body.error` as a string (converted like {@link getString}), `none` when absent or `null`.
 *
 * @example
 * ```ts
 * import { getError } from 'rxmini';
 * getError({ type: 'response', body: { error: 'db down' } }); // some('db down')
 * getError({ type: 'response' }); // none (the Go original returned "null")
 * ```
 */
export const getError = (msg: Message): O.Option<string> => getString(msg, BodyKey.ERROR);

/**
 * True when `msg` carries an error, exactly when {@link getError} is `some`.
 *
 * @example
 * ```ts
 * import { hasError } from 'rxmini';
 * hasError({ type: 'response', body: { error: 'db down' } }); // true
 * ```
 */
export const hasError = (msg: Message): boolean => O.isSome(getError(msg));
