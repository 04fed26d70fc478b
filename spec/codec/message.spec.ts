import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  Message,
  newContextID,
  newMessage,
  newRequest,
  newResponse,
  toFieldIssues,
  validateMessage,
} from '../../src/codec/index.js';
import { MessageType, StatusCode } from '../../src/constant/index.js';

const UUID_V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe('Message codec', () => {
  it('needs only a type', () => {
    expect(Message.decode({ type: 'event' })).toEqual(E.right({ type: 'event' }));
  });

  it('keeps every field under its original JSON name', () => {
    const full = {
      type: 'request',
      node: 'auth.login',
      contextID: 'c1',
      replyTo: '_reply.n1',
      header: { traceparent: 't' },
      body: { email: 'a@b.c' },
      rawBody: new Uint8Array([1, 2]),
      statusCode: 200,
    };
    expect(Message.decode(full)).toEqual(E.right(full));
  });

  it('drops fields it does not know', () => {
    expect(Message.decode({ type: 'event', Type: 'x', extra: 1 })).toEqual(E.right({ type: 'event' }));
  });

  it('rejects null in optional fields rather than treating it as absent', () => {
    for (const key of ['node', 'contextID', 'replyTo', 'header', 'body', 'rawBody', 'statusCode']) {
      expect(E.isLeft(Message.decode({ type: 'event', [key]: null })))
        .withContext(key)
        .toBeTrue();
    }
  });

  it('wants statusCode to be a safe integer', () => {
    for (const statusCode of [200.5, '200', NaN, Infinity, 2 ** 53]) {
      expect(Message.is({ type: 'response', statusCode }))
        .withContext(String(statusCode))
        .toBeFalse();
    }
    expect(Message.is({ type: 'response', statusCode: 0 })).toBeTrue();
  });

  it('wants header values to be strings', () => {
    expect(Message.is({ type: 'event', header: { attempts: 1 } })).toBeFalse();
    expect(Message.is({ type: 'event', header: ['x'] })).toBeFalse();
  });

  it('names the header itself when it is not a plain object', () => {
    for (const header of [['x'], new Map(), 'k=v']) {
      const result = Message.decode({ type: 'event', header });
      const issues = E.isLeft(result) ? toFieldIssues(result.left) : [];
      expect(issues.map((i) => i.path))
        .withContext(String(header))
        .toEqual(['header']);
      expect(issues[0]?.message).toMatch(/^header: expected a plain object of strings, got /);
    }
  });

  it('agrees with itself: is() holds exactly when decode() succeeds without changing anything', () => {
    const field = fc.oneof(
      fc.string(),
      fc.integer(),
      fc.constant(undefined),
      fc.dictionary(fc.string(), fc.string()),
    );
    const shaped = fc.record(
      { type: field, node: field, contextID: field, header: field, body: field, statusCode: field },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(shaped, (value) => {
        const result = Message.decode(value);
        expect(E.isRight(result)).toBe(Message.is(value));
      }),
      { numRuns: 2000 },
    );
  });

  it('reads a base64 rawBody, as the Go original writes it in JSON', () => {
    const result = Message.decode({ type: 'stream', rawBody: 'aGVsbG8=' });
    expect(E.isRight(result) ? result.right.rawBody : undefined).toEqual(new TextEncoder().encode('hello'));
  });

  it('rejects a rawBody string that is not base64', () => {
    expect(E.isLeft(Message.decode({ type: 'stream', rawBody: 'not base64!' }))).toBeTrue();
  });

  it('considers only bytes a valid in-memory rawBody', () => {
    expect(Message.is({ type: 'stream', rawBody: 'aGVsbG8=' })).toBeFalse();
    expect(Message.is({ type: 'stream', rawBody: [1, 2] })).toBeFalse();
  });
});

describe('newContextID', () => {
  it('makes distinct version 4 UUIDs', () => {
    const ids = Array.from({ length: 1000 }, newContextID);
    for (const id of ids) expect(id).toMatch(UUID_V4);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('falls back to getRandomValues where randomUUID is missing (insecure browser origins)', () => {
    const original = Object.getOwnPropertyDescriptor(globalThis, 'crypto');
    const real = globalThis.crypto;
    const fallback = {
      getRandomValues: <T extends ArrayBufferView>(array: T): T => real.getRandomValues(array),
    };
    try {
      Object.defineProperty(globalThis, 'crypto', { value: fallback, configurable: true, writable: true });
    } catch {
      pending('globalThis.crypto cannot be replaced here');
      return;
    }
    try {
      expect(globalThis.crypto.randomUUID).toBeUndefined();
      const ids = Array.from({ length: 200 }, newContextID);
      for (const id of ids) expect(id).toMatch(UUID_V4);
      expect(new Set(ids).size).toBe(ids.length);
    } finally {
      if (original) Object.defineProperty(globalThis, 'crypto', original);
    }
  });
});

describe('newMessage', () => {
  it('sets the type and a fresh context id', () => {
    const msg = newMessage(MessageType.EVENT);
    expect(msg.type).toBe('event');
    expect(msg.contextID).toMatch(UUID_V4);
    expect(newMessage('event').contextID).not.toBe(msg.contextID);
  });

  it('keeps a given context id, and replaces an empty one', () => {
    expect(newMessage('event', 'c1').contextID).toBe('c1');
    expect(newMessage('event', '').contextID).toMatch(UUID_V4);
  });

  it('accepts an application-defined type', () => {
    expect(newMessage('audit').type).toBe('audit');
  });
});

describe('newRequest', () => {
  it('makes a request to node with a generated context id', () => {
    const req = newRequest('auth.login');
    expect(req).toEqual({ type: 'request', node: 'auth.login', contextID: jasmine.stringMatching(UUID_V4) });
  });

  it('keeps a given context id', () => {
    expect(newRequest('auth.login', 'c1').contextID).toBe('c1');
  });

  it('makes a message that passes validateMessage', () => {
    expect(E.isRight(validateMessage(newRequest('auth.login')))).toBeTrue();
  });
});

describe('newResponse', () => {
  it('makes a response in the conversation with the status', () => {
    expect(newResponse('c1', StatusCode.NOT_FOUND)).toEqual({
      type: 'response',
      contextID: 'c1',
      statusCode: 404,
    });
  });

  it('defaults the status to 200', () => {
    expect(newResponse('c1').statusCode).toBe(200);
  });
});
