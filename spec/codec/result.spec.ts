import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import * as O from 'fp-ts/lib/Option.js';
import * as t from 'io-ts';
import {
  type Message,
  clearError,
  decodeResult,
  getError,
  getResult,
  hasError,
  newResponse,
  setError,
  setResult,
} from '../../src/codec/index.js';
import { ValidationError } from '../../src/errors.js';

const reply = (): Message => newResponse('c1', 200);

describe('setResult / getResult', () => {
  it('stores the result under body.result in a new message', () => {
    const before = reply();
    const after = setResult(before, { token: 'jwt123' });
    expect(after.body).toEqual({ result: { token: 'jwt123' } });
    expect(before.body).toBeUndefined();
    expect(getResult(after)).toEqual(O.some({ token: 'jwt123' }));
  });

  it('keeps the other body keys', () => {
    const msg: Message = { type: 'response', body: { error: 'e' } };
    expect(setResult(msg, 1).body).toEqual({ error: 'e', result: 1 });
  });

  it('tells an explicit null result from a missing one', () => {
    expect(getResult(setResult(reply(), null))).toEqual(O.some(null));
    expect(getResult(reply())).toEqual(O.none);
  });

  it('works data-last in a pipe', () => {
    expect(pipe(reply(), setResult([1, 2]), getResult)).toEqual(O.some([1, 2]));
  });
});

describe('decodeResult', () => {
  const Token = t.type({ token: t.string });

  it('gives the decoded result', () => {
    expect(decodeResult(setResult(reply(), { token: 'x' }), Token)).toEqual(E.right({ token: 'x' }));
    expect(pipe(setResult(reply(), { token: 'x' }), decodeResult(Token))).toEqual(E.right({ token: 'x' }));
  });

  it('fails with a ValidationError whose paths start with result', () => {
    const result = decodeResult(setResult(reply(), { token: 5 }), Token);
    if (E.isRight(result)) return fail('expected a Left');
    expect(result.left).toBeInstanceOf(ValidationError);
    expect(result.left.issues.map((i) => i.path)).toEqual(['result.token']);
    expect(result.left.message).toContain('invalid result');
  });

  it('fails on a missing result unless the codec allows undefined', () => {
    const missing = decodeResult(reply(), Token);
    expect(E.isLeft(missing) ? missing.left.issues.map((i) => [i.path, i.expected]) : []).toEqual([
      ['result', 'required'],
    ]);
    expect(decodeResult(reply(), t.union([Token, t.undefined]))).toEqual(E.right(undefined));
  });
});

describe('setError / getError / hasError / clearError', () => {
  it('stores an Error by its message', () => {
    const msg = setError(reply(), new Error('db down'));
    expect(msg.body).toEqual({ error: 'db down' });
    expect(getError(msg)).toEqual(O.some('db down'));
    expect(hasError(msg)).toBeTrue();
  });

  it('stores a string as it is', () => {
    expect(getError(setError(reply(), 'bad input'))).toEqual(O.some('bad input'));
  });

  it('falls back to the error name when the message is empty', () => {
    expect(getError(setError(reply(), new TypeError()))).toEqual(O.some('TypeError'));
  });

  it('does not touch the original message', () => {
    const before = reply();
    setError(before, 'x');
    expect(before).toEqual(reply());
  });

  it('gives none (never "null") and hasError false when there is no error', () => {
    expect(getError(reply())).toEqual(O.none);
    expect(getError({ type: 'response', body: { error: null } })).toEqual(O.none);
    expect(hasError(reply())).toBeFalse();
    expect(hasError({ type: 'response', body: { error: null } })).toBeFalse();
  });

  it('reads a non-string error from a foreign sender as text', () => {
    expect(getError({ type: 'response', body: { error: { code: 7 } } })).toEqual(O.some('{"code":7}'));
  });

  it('clears the error and keeps the rest', () => {
    const msg = pipe(reply(), setResult(1), setError('x'));
    expect(clearError(msg).body).toEqual({ result: 1 });
    expect(hasError(clearError(msg))).toBeFalse();
    expect(hasError(msg)).toBeTrue();
  });
});
