/**
 * The one shape of an answer, on both paths: the response message a call is
 * answered with, and what a caller makes of it.
 *
 * @packageDocumentation
 */
import { isLeft } from 'fp-ts/lib/Either.js';
import { toUndefined } from 'fp-ts/lib/Option.js';
import type * as t from 'io-ts';
import { toFieldIssues } from '../codec/issues.js';
import type { JsonValue } from '../codec/json.js';
import type { Message } from '../codec/message.js';
import { getError, getResult } from '../codec/result.js';
import { BodyKey } from '../constant/bodyKey.js';
import { StatusCode } from '../constant/status.js';
import { ValidationError, type FieldIssue } from '../errors.js';
import { ResponseError } from '../transport/errors.js';
import { isErrorResponse, responseTo } from '../transport/respond.js';

/** What the caller learns of a failing field: never the value it sent (it may be a password). */
const wireIssue = ({ path, expected, message }: FieldIssue): JsonValue => ({ path, expected, message });

/** A thrown value as an Error: its message goes on the wire, its stack never does. */
export const asError = (thrown: unknown): Error =>
  thrown instanceof Error ? thrown : new Error(typeof thrown === 'string' ? thrown : 'internal error');

/**
 * The response to `request` for `outcome` (a result, or an Error answered with
 * its status), with a `ValidationError`'s issues in `body.issues`; `undefined`
 * when the request cannot be answered (no `replyTo` or `contextID`: an event
 * published to an action topic). The topic is the request's `replyTo`.
 */
export const answerFor = (
  request: Message,
  outcome: unknown,
  statusCode?: number,
): { readonly topic: string; readonly message: Message } | undefined => {
  const value: JsonValue | Error = outcome instanceof Error ? outcome : ((outcome ?? null) as JsonValue);
  const response = responseTo(request, value, statusCode);
  if (isLeft(response)) return undefined;
  if (!(outcome instanceof ValidationError)) return response.right;
  const { topic, message } = response.right;
  return {
    topic,
    message: { ...message, body: { ...message.body, [BodyKey.ISSUES]: outcome.issues.map(wireIssue) } },
  };
};

/**
 * What a caller gets from `response` to a call of `action`: its `body.result`,
 * or, for an error response, a `ResponseError` built as `transport.request`
 * builds it (so the in-process path fails exactly as the bus does).
 */
export const resultOf = (
  action: string,
  response: Message,
): { ok: true; value: unknown } | { ok: false; error: ResponseError } =>
  isErrorResponse(response)
    ? {
        ok: false,
        error: new ResponseError(
          action,
          response.statusCode !== undefined && response.statusCode >= 400
            ? response.statusCode
            : StatusCode.INTERNAL,
          toUndefined(getError(response)) ?? '',
          response,
        ),
      }
    : { ok: true, value: toUndefined(getResult(response)) };

/**
 * What a call of `action` returns from `response`: its result, checked by
 * `output` when given. Throws the `ResponseError` of an error response, or a
 * `ValidationError` (subject `result of <action>`) for a result `output`
 * refuses: one outcome for `svc.call` on both paths and for `createClient`.
 */
export const callResult = <O>(action: string, response: Message, output?: t.Decoder<unknown, O>): O => {
  const result = resultOf(action, response);
  if (!result.ok) throw result.error;
  return checkOutput(action, result.value, output);
};

/**
 * A call's result checked by `output` when given (as it is otherwise); throws
 * a `ValidationError` (subject `result of <action>`) for a result it refuses.
 */
export const checkOutput = <O>(action: string, value: unknown, output?: t.Decoder<unknown, O>): O => {
  if (output === undefined) return value as O;
  const decoded = output.decode(value);
  if (isLeft(decoded)) {
    throw new ValidationError(toFieldIssues(decoded.left, 'result'), { subject: `result of ${action}` });
  }
  return decoded.right;
};

/**
 * The failing fields a call was refused with (`body.issues` of a 400), from
 * the error `svc.call` or `transport.request` gave; `[]` for any other error.
 *
 * @example
 * ```ts
 * import { firstValueFrom } from 'rxjs';
 * import { issuesOf } from 'rxmini';
 * try {
 *   await firstValueFrom(bus.request('auth.login', {}));
 * } catch (error) {
 *   issuesOf(error); // [{ path: 'email', expected: 'required', message: 'email: required' }]
 * }
 * ```
 */
export const issuesOf = (error: unknown): readonly Omit<FieldIssue, 'actual'>[] => {
  if (!(error instanceof ResponseError)) return [];
  const issues = error.response.body?.[BodyKey.ISSUES];
  return Array.isArray(issues) ? (issues as readonly Omit<FieldIssue, 'actual'>[]) : [];
};
