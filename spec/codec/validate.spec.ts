import * as E from 'fp-ts/lib/Either.js';
import { type Message, validateMessage } from '../../src/codec/index.js';
import { ValidationError } from '../../src/errors.js';

const issuesOf = (msg: unknown) => {
  const result = validateMessage(msg as Message);
  return E.isLeft(result) ? result.left.issues : [];
};

describe('validateMessage', () => {
  it('accepts a complete request and returns the same message', () => {
    const msg: Message = { type: 'request', node: 'auth.login', contextID: 'c1' };
    const result = validateMessage(msg);
    expect(E.isRight(result) ? result.right : undefined).toBe(msg);
  });

  it('does not need a node for other types', () => {
    expect(E.isRight(validateMessage({ type: 'event', contextID: 'c1' }))).toBeTrue();
    expect(E.isRight(validateMessage({ type: 'response', contextID: 'c1', statusCode: 404 }))).toBeTrue();
  });

  it('accepts application-defined types', () => {
    expect(E.isRight(validateMessage({ type: 'audit', contextID: 'c1' }))).toBeTrue();
  });

  it('lists every missing field at once, not just the first', () => {
    const result = validateMessage({ type: 'request' });
    if (E.isRight(result)) return fail('expected a Left');
    expect(result.left).toBeInstanceOf(ValidationError);
    expect(result.left.issues.map((i) => i.path)).toEqual(['node', 'contextID']);
    expect(result.left.message).toBe('invalid message: node: required; contextID: required');
  });

  it('reports a missing or blank type', () => {
    expect(issuesOf({ contextID: 'c1' }).map((i) => i.path)).toEqual(['type']);
    expect(issuesOf({ type: '', contextID: 'c1' }).map((i) => i.path)).toEqual(['type']);
  });

  it('treats blank strings as missing', () => {
    const issues = issuesOf({ type: 'request', node: '  ', contextID: '' });
    expect(issues.map((i) => [i.path, i.expected, i.actual])).toEqual([
      ['node', 'non-empty string', '  '],
      ['contextID', 'non-empty string', ''],
    ]);
  });

  it('reports fields of the wrong type alongside missing ones, each once', () => {
    const issues = issuesOf({ type: 'request', node: 5, header: { a: 1 }, statusCode: 'x' });
    expect(issues.map((i) => i.path).sort()).toEqual(['contextID', 'header.a', 'node', 'statusCode']);
    expect(issues.find((i) => i.path === 'node')?.message).toBe('node: expected string, got number 5');
  });

  it('gives a ValidationError, not an exception, for a value that is not a message', () => {
    for (const value of [null, undefined, 42, 'request', []]) {
      const result = validateMessage(value as unknown as Message);
      expect(E.isLeft(result) && result.left instanceof ValidationError)
        .withContext(String(value))
        .toBeTrue();
    }
  });
});
