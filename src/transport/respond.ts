/**
 * Building the response to a request.
 *
 * @packageDocumentation
 */
import { left, right, type Either } from 'fp-ts/lib/Either.js';
import type { JsonValue } from '../codec/json.js';
import { newResponse, type Message } from '../codec/message.js';
import { setError } from '../codec/result.js';
import { ErrorCode, BadRequestError, isRxMiniError } from '../errors.js';
import { HeaderKey } from '../constant/headerKey.js';
import { MessageType } from '../constant/messageType.js';
import { StatusCode } from '../constant/status.js';

const STATUS_OF_CODE: Partial<Record<ErrorCode, number>> = {
  [ErrorCode.BAD_REQUEST]: StatusCode.BAD_REQUEST,
  [ErrorCode.VALIDATION]: StatusCode.BAD_REQUEST,
  [ErrorCode.DECODE]: StatusCode.BAD_REQUEST,
  [ErrorCode.EMPTY_MESSAGE]: StatusCode.BAD_REQUEST,
  [ErrorCode.INVALID_PATH]: StatusCode.BAD_REQUEST,
  [ErrorCode.INVALID_NAME]: StatusCode.BAD_REQUEST,
  [ErrorCode.NOT_FOUND]: StatusCode.NOT_FOUND,
  [ErrorCode.MISSING_HANDLER]: StatusCode.NOT_FOUND,
  [ErrorCode.DUPLICATE]: 409,
  [ErrorCode.PAYLOAD_TOO_LARGE]: 413,
  [ErrorCode.NO_NODES]: 503,
  [ErrorCode.TIMEOUT]: StatusCode.TIMEOUT,
};

const isStatus = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;

/**
 * The status an error answers with: its own numeric `statusCode` (or `status`)
 * field when it has one, else one derived from an rxmini error's `code`
 * (`NOT_FOUND` → 404, `VALIDATION` → 400, `TIMEOUT` → 504, …), else 500.
 */
export const statusOfError = (error: Error): number => {
  const own = error as Error & { readonly statusCode?: unknown; readonly status?: unknown };
  if (isStatus(own.statusCode)) return own.statusCode;
  if (isStatus(own.status)) return own.status;
  if (isRxMiniError(error)) return STATUS_OF_CODE[error.code] ?? StatusCode.INTERNAL;
  return StatusCode.INTERNAL;
};

/** Trace context travels back with the response. */
const TRACE_KEYS = [HeaderKey.TRACEPARENT, HeaderKey.TRACESTATE] as const;

/**
 * The response to `request`: same `contextID`, `type: 'response'`, the trace
 * header of the request, and `result` in `body.result` (status `statusCode`,
 * default 200) or an `Error` in `body.error` (status `statusCode`, else
 * {@link statusOfError}). `Left(BadRequestError)` when the request has no
 * `replyTo` or no `contextID`: there is nowhere to send it, or nothing to match it by.
 */
export const responseTo = (
  request: Message,
  result: JsonValue | Error,
  statusCode?: number,
): Either<BadRequestError, { readonly topic: string; readonly message: Message }> => {
  if (typeof request !== 'object' || request === null) {
    return left(new BadRequestError('cannot respond: the request is not a message'));
  }
  const { replyTo, contextID } = request;
  if (typeof replyTo !== 'string' || replyTo === '') {
    return left(new BadRequestError('cannot respond: the request has no replyTo'));
  }
  if (typeof contextID !== 'string' || contextID === '') {
    return left(new BadRequestError('cannot respond: the request has no contextID'));
  }
  if (statusCode !== undefined && !isStatus(statusCode)) {
    return left(new BadRequestError(`cannot respond: invalid status code ${String(statusCode)}`));
  }
  const isError = result instanceof Error;
  const status = statusCode ?? (isError ? statusOfError(result) : StatusCode.OK);
  const message: Message = isError
    ? setError(newResponse(contextID, status), result)
    : { type: MessageType.RESPONSE, contextID, statusCode: status, body: { result } };
  const { header } = request;
  let trace: Record<string, string> | undefined;
  if (header !== undefined) {
    for (const key of TRACE_KEYS) {
      const value = header[key];
      if (value !== undefined) (trace ??= {})[key] = value;
    }
  }
  return right({ topic: replyTo, message: trace === undefined ? message : { ...message, header: trace } });
};

/**
 * True when a response reports a failure: it carries `body.error`, or a status of 400 or more.
 *
 * @example
 * ```ts
 * import { isErrorResponse } from 'rxmini';
 * isErrorResponse({ type: 'response', statusCode: 404 }); // true
 * ```
 */
export const isErrorResponse = (response: Message): boolean => {
  const error = response.body?.['error'];
  return (error !== undefined && error !== null) || (response.statusCode ?? StatusCode.OK) >= 400;
};
