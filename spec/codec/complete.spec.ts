import * as E from 'fp-ts/lib/Either.js';
import { completeMessage, type Message, type PartialMessage } from '../../src/codec/index.js';
import { ValidationError } from '../../src/errors.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

const completed = (msg: PartialMessage): Message => {
  const result = completeMessage(msg);
  if (E.isLeft(result)) throw result.left;
  return result.right;
};

describe('completeMessage', () => {
  it('returns a message with type and contextID as it is: the same object', () => {
    const msg: Message = { type: 'request', node: 'a.b', contextID: 'c1', body: { n: 1 } };
    expect(completed(msg)).toBe(msg);
  });

  it('fills in a missing type (event) and contextID (a fresh UUID), leaving the input alone', () => {
    const partial: PartialMessage = { body: { id: 7 }, header: { k: 'v' } };
    const msg = completed(partial);
    expect(msg).toEqual({
      type: 'event',
      contextID: jasmine.stringMatching(UUID),
      body: { id: 7 },
      header: { k: 'v' },
    });
    expect(partial).toEqual({ body: { id: 7 }, header: { k: 'v' } });
    expect(completed({ body: {} }).contextID).not.toBe(msg.contextID);
  });

  it('keeps what is given: a type without contextID, a contextID without type', () => {
    expect(completed({ type: 'custom' })).toEqual({
      type: 'custom',
      contextID: jasmine.stringMatching(UUID),
    });
    expect(completed({ contextID: 'c2', rawBody: new Uint8Array([1]) })).toEqual({
      type: 'event',
      contextID: 'c2',
      rawBody: new Uint8Array([1]),
    });
  });

  it('refuses a bare JSON body with a ValidationError naming each field a message does not have', () => {
    const result = completeMessage({ id: 7, name: 'x' } as PartialMessage);
    const error = E.isLeft(result) ? result.left : undefined;
    expect(error).toBeInstanceOf(ValidationError);
    expect(error?.issues.map((i) => i.path)).toEqual(['id', 'name']);
    expect(error?.message).toContain('id: not a message field (a JSON payload goes under body');
  });

  it('leaves a blank contextID or a value that is not an object for validateMessage to report', () => {
    const blank = { type: 'event', contextID: '' };
    expect(completed(blank)).toBe(blank);
    expect(E.isRight(completeMessage(null as unknown as PartialMessage))).toBeTrue();
  });
});
