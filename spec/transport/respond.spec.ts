import { isLeft, isRight } from 'fp-ts/lib/Either.js';
import { newRequest } from '../../src/codec/message.js';
import { HeaderKey } from '../../src/constant/index.js';
import { BadRequestError, NotFoundError, TimeoutError, ValidationError } from '../../src/errors.js';
import { ResponseError } from '../../src/transport/errors.js';
import { isErrorResponse, responseTo, statusOfError } from '../../src/transport/respond.js';

const request = { ...newRequest('auth.login', 'ctx-1'), replyTo: '_reply.n1#ephemeral' };

describe('transport/respond', () => {
  it('answers a result on replyTo with the same contextID and status 200', () => {
    const result = responseTo(request, { token: 'jwt' });
    expect(isRight(result) && result.right).toEqual({
      topic: '_reply.n1#ephemeral',
      message: { type: 'response', contextID: 'ctx-1', statusCode: 200, body: { result: { token: 'jwt' } } },
    });
  });

  it('answers an error in body.error with its status, or the one given', () => {
    const notFound = responseTo(request, new NotFoundError('user 7'));
    expect(isRight(notFound) && notFound.right.message).toEqual({
      type: 'response',
      contextID: 'ctx-1',
      statusCode: 404,
      body: { error: 'not found: user 7' },
    });
    const teapot = responseTo(request, new Error('x'), 418);
    expect(isRight(teapot) && teapot.right.message.statusCode).toBe(418);
    const created = responseTo(request, null, 201);
    expect(isRight(created) && created.right.message.body).toEqual({ result: null });
  });

  it('carries the trace context back', () => {
    const traced = { ...request, header: { [HeaderKey.TRACEPARENT]: '00-abc-def-01', other: 'no' } };
    const result = responseTo(traced, 1);
    expect(isRight(result) && result.right.message.header).toEqual({
      [HeaderKey.TRACEPARENT]: '00-abc-def-01',
    });
  });

  it('refuses a request without replyTo or contextID, and a bad status', () => {
    for (const bad of [
      { ...request, replyTo: undefined },
      { ...request, contextID: '' },
    ]) {
      const result = responseTo(bad, 1);
      expect(isLeft(result) && result.left).toEqual(jasmine.any(BadRequestError));
    }
    expect(isLeft(responseTo(request, 1, 42))).toBeTrue();
  });

  it('derives a status from an error', () => {
    expect(statusOfError(new Error('x'))).toBe(500);
    expect(statusOfError(new ValidationError([]))).toBe(400);
    expect(statusOfError(new TimeoutError('x', 1))).toBe(504);
    expect(statusOfError(Object.assign(new Error('x'), { statusCode: 409 }))).toBe(409);
    expect(statusOfError(Object.assign(new Error('x'), { status: 401 }))).toBe(401);
    expect(statusOfError(Object.assign(new Error('x'), { status: 'bad' }))).toBe(500);
  });

  it('recognises an error response by body.error or a status of 400 or more', () => {
    expect(isErrorResponse({ type: 'response', statusCode: 200 })).toBeFalse();
    expect(isErrorResponse({ type: 'response' })).toBeFalse();
    expect(isErrorResponse({ type: 'response', statusCode: 404 })).toBeTrue();
    expect(isErrorResponse({ type: 'response', statusCode: 200, body: { error: 'x' } })).toBeTrue();
    expect(isErrorResponse({ type: 'response', body: { error: null } })).toBeFalse();
  });

  it('gives ResponseError a code that follows the status', () => {
    const response = { type: 'response' };
    expect(new ResponseError('a', 404, 'x', response).code).toBe('NOT_FOUND');
    expect(new ResponseError('a', 400, '', response).code).toBe('BAD_REQUEST');
    expect(new ResponseError('a', 504, '', response).code).toBe('TIMEOUT');
    expect(new ResponseError('a', 500, 'db down', response).code).toBe('REMOTE');
    expect(new ResponseError('a', 500, 'db down', response).message).toBe(
      'a failed with status 500: db down',
    );
    expect(new ResponseError('a', 500, 'db down', response).name).toBe('ResponseError');
  });
});
