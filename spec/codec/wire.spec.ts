import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  FRAME_MAGIC,
  type JsonObject,
  Message,
  decode,
  decodeJson,
  encode,
  newRequest,
} from '../../src/codec/index.js';
import { decodeHandedOver, encodeInto } from '../../src/codec/wire.js';
import { DecodeError, EmptyMessageError } from '../../src/errors.js';

const utf8 = (text: string): Uint8Array => new TextEncoder().encode(text);

/** A frame built by hand: magic, declared header length, header bytes, raw bytes. */
const frame = (declaredLength: number, header: Uint8Array, raw: readonly number[] = []): Uint8Array => {
  const bytes = new Uint8Array(8 + header.length + raw.length);
  bytes.set(FRAME_MAGIC, 0);
  new DataView(bytes.buffer).setUint32(4, declaredLength, false);
  bytes.set(header, 8);
  bytes.set(raw, 8 + header.length);
  return bytes;
};

const errorOf = (result: E.Either<DecodeError, Message>): DecodeError => {
  if (E.isRight(result)) throw new Error(`expected a Left, got ${JSON.stringify(result.right)}`);
  return result.left;
};

/** Every decode failure must be a DecodeError with code DECODE; a success must be a valid Message. */
const wellBehaved = (result: E.Either<DecodeError, Message>): boolean =>
  E.isLeft(result)
    ? result.left instanceof DecodeError && result.left.code === 'DECODE'
    : Message.is(result.right);

describe('encode', () => {
  it('writes plain UTF-8 JSON when there is no rawBody', () => {
    const msg: Message = { type: 'request', node: 'auth.login', contextID: 'c1', body: { name: 'Zoë' } };
    const bytes = encode(msg);
    expect(bytes[0]).toBe('{'.charCodeAt(0));
    expect(JSON.parse(new TextDecoder().decode(bytes))).toEqual(msg);
  });

  it('writes fields in a fixed order and leaves undefined ones out', () => {
    const msg: Message = { statusCode: 200, contextID: 'c1', type: 'response', node: undefined };
    expect(new TextDecoder().decode(encode(msg))).toBe(
      '{"type":"response","contextID":"c1","statusCode":200}',
    );
  });

  it('keeps statusCode 0 (the Go original dropped it)', () => {
    expect(new TextDecoder().decode(encode({ type: 'health', statusCode: 0 }))).toBe(
      '{"type":"health","statusCode":0}',
    );
  });

  it('writes a binary frame with the raw bytes verbatim when there is a rawBody', () => {
    const bytes = encode({ type: 'stream', rawBody: new Uint8Array([0xff, 0x00, 0x7b]) });
    const header = utf8('{"type":"stream"}');
    expect(Array.from(bytes)).toEqual([
      0x00,
      0x52,
      0x58,
      0x01,
      0,
      0,
      0,
      header.length,
      ...header,
      0xff,
      0x00,
      0x7b,
    ]);
  });

  it('copies the raw bytes out of a frame, unless they are handed over (decodeHandedOver): then a plain view', () => {
    const encoded = encode({ type: 'stream', body: { n: 1 }, rawBody: new Uint8Array([9, 8, 7]) });
    // the frame at an offset of a larger buffer, as a delivery's body is
    const backing = new Uint8Array(encoded.length + 5);
    backing.set(encoded, 5);
    const frame = backing.subarray(5);
    const copied = decode(frame);
    const kept = decodeHandedOver(frame);
    expect(kept).toEqual(copied);
    const copiedRaw = E.isRight(copied) ? copied.right.rawBody : undefined;
    const keptRaw = E.isRight(kept) ? kept.right.rawBody : undefined;
    expect(copiedRaw?.buffer).not.toBe(frame.buffer);
    expect(keptRaw?.buffer).toBe(frame.buffer);
    expect(keptRaw?.byteOffset).toBe(frame.byteOffset + frame.length - 3);
    // a plain Uint8Array (never a Buffer on Node), either way
    expect(Object.getPrototypeOf(keptRaw)).toBe(Uint8Array.prototype);
    expect(Object.getPrototypeOf(copiedRaw)).toBe(Uint8Array.prototype);
    // a later write to the frame shows in the view only
    frame[frame.length - 1] = 0;
    expect(Array.from(keptRaw ?? [])).toEqual([9, 8, 0]);
    expect(Array.from(copiedRaw ?? [])).toEqual([9, 8, 7]);
    // everything else as decode: JSON and bad input
    expect(decodeHandedOver(encode({ type: 'event' }))).toEqual(decode(encode({ type: 'event' })));
    expect(E.isLeft(decodeHandedOver(new Uint8Array()))).toBeTrue();
  });

  it('encodes into the memory it is given (encodeInto): the same frame as encode, at any offset', () => {
    const msg: Message = { type: 'stream', body: { n: 2 }, rawBody: new Uint8Array([1, 2, 3, 4]) };
    const expected = encode(msg);
    const backing = new Uint8Array(expected.length + 20).fill(0xaa);
    let asked = -1;
    const frame = encodeInto(msg, (size) => {
      asked = size;
      return backing.subarray(10, 10 + size);
    });
    expect(asked).toBe(expected.length);
    expect(frame.buffer).toBe(backing.buffer);
    expect(frame).toEqual(expected);
    // nothing written outside what it was given
    expect(Array.from(backing.subarray(0, 10))).toEqual(new Array<number>(10).fill(0xaa));
    expect(Array.from(backing.subarray(10 + expected.length))).toEqual(new Array<number>(10).fill(0xaa));
    // a message without rawBody is JSON, and asks for no memory
    let called = false;
    encodeInto({ type: 'event' }, (size) => {
      called = true;
      return new Uint8Array(size);
    });
    expect(called).toBeFalse();
  });

  it('frames an empty rawBody too, so it survives the trip', () => {
    const bytes = encode({ type: 'stream', rawBody: new Uint8Array() });
    expect(bytes[0]).toBe(0x00);
    expect(decode(bytes)).toEqual(E.right({ type: 'stream', rawBody: new Uint8Array() }));
  });
});

describe('decode', () => {
  it('reads what encode wrote', () => {
    const msg = { ...newRequest('auth.login'), header: { traceparent: 't' }, body: { a: [1, null] } };
    expect(decode(encode(msg))).toEqual(E.right(msg));
  });

  it('reads JSON from the Go original, rawBody in base64 included', () => {
    const go =
      '{"type":"request","node":"a","contextID":"c","header":{"k":"v"},"body":{"n":1},"rawBody":"AQID","statusCode":200}';
    expect(decode(utf8(go))).toEqual(
      E.right({
        type: 'request',
        node: 'a',
        contextID: 'c',
        header: { k: 'v' },
        body: { n: 1 },
        rawBody: new Uint8Array([1, 2, 3]),
        statusCode: 200,
      }),
    );
  });

  it('accepts surrounding whitespace and a UTF-8 byte order mark', () => {
    expect(decode(utf8('\n {"type":"event"} \n'))).toEqual(E.right({ type: 'event' }));
    expect(decode(new Uint8Array([0xef, 0xbb, 0xbf, ...utf8('{"type":"event"}')]))).toEqual(
      E.right({ type: 'event' }),
    );
  });

  it('decodes a frame that is a view into a larger buffer', () => {
    const bytes = encode({ type: 'stream', rawBody: new Uint8Array([7, 8]) });
    const padded = new Uint8Array(bytes.length + 5);
    padded.set(bytes, 3);
    expect(decode(padded.subarray(3, 3 + bytes.length))).toEqual(
      E.right({ type: 'stream', rawBody: new Uint8Array([7, 8]) }),
    );
  });

  it('copies the raw bytes out of the input buffer', () => {
    const bytes = encode({ type: 'stream', rawBody: new Uint8Array([7, 8]) });
    const raw = E.isRight(decode(bytes)) ? (decode(bytes) as E.Right<Message>).right.rawBody : undefined;
    bytes[bytes.length - 1] = 0;
    expect(raw).toEqual(new Uint8Array([7, 8]));
  });

  it('gives a plain Uint8Array rawBody even when the input is a subclass (a Node Buffer)', () => {
    class ByteView extends Uint8Array {}
    const frame = encode({ type: 'stream', contextID: 'c', rawBody: new Uint8Array([0, 1, 255]) });
    const input = new ByteView(frame.length);
    input.set(frame);
    const decoded = decode(input);
    const raw = E.isRight(decoded) ? decoded.right.rawBody : undefined;
    expect(raw?.constructor).toBe(Uint8Array);
    expect(Array.from(raw ?? [])).toEqual([0, 1, 255]);
  });

  describe('rejects with a DecodeError', () => {
    it('an empty frame, caused by EmptyMessageError', () => {
      const error = errorOf(decode(new Uint8Array()));
      expect(error.reason).toBe('empty frame');
      expect(error.cause).toBeInstanceOf(EmptyMessageError);
    });

    it('input that is not a Uint8Array', () => {
      for (const value of [null, undefined, '{"type":"event"}', [123, 125]]) {
        expect(errorOf(decode(value as unknown as Uint8Array)).reason).toMatch(/^expected a Uint8Array/);
      }
    });

    it('invalid UTF-8', () => {
      const error = errorOf(decode(new Uint8Array([0x7b, 0xff, 0x7d])));
      expect(error.reason).toBe('invalid UTF-8');
    });

    it('invalid JSON, keeping the parser error as cause', () => {
      const error = errorOf(decode(utf8('{"type":')));
      expect(error.reason).toMatch(/^invalid JSON: /);
      expect(error.cause).toBeInstanceOf(SyntaxError);
    });

    it('JSON that is not an object', () => {
      const cases: [string, string][] = [
        ['[1]', 'array'],
        ['"text"', 'string "text"'],
        ['12', 'number 12'],
        ['null', 'null'],
        ['true', 'boolean true'],
      ];
      for (const [json, what] of cases) {
        expect(errorOf(decode(utf8(json))).reason).toBe(`expected a JSON object, got ${what}`);
      }
    });

    it('fields of the wrong type, listing every one with its path', () => {
      const error = errorOf(
        decode(utf8('{"node":1,"header":{"a":"x","b":2},"body":{"deep":{"n":1e400}},"statusCode":"200"}')),
      );
      expect(error.issues.map((i) => i.path)).toEqual([
        'type',
        'node',
        'header.b',
        'body.deep.n',
        'statusCode',
      ]);
      expect(error.issues[0]).toEqual({ path: 'type', expected: 'required', message: 'type: required' });
      expect(error.reason).toContain('statusCode: expected integer, got string "200"');
    });

    it('a body nested deeper than MAX_JSON_DEPTH', () => {
      const error = errorOf(
        decode(utf8(`{"type":"e","body":{"a":${'['.repeat(100_000)}${']'.repeat(100_000)}}}`)),
      );
      expect(error.issues.length).toBe(1);
      expect(error.issues[0]?.message).toContain('nested deeper than 512 levels');
    });

    it('a frame shorter than its 8-byte prefix', () => {
      for (let length = 4; length < 8; length++) {
        expect(errorOf(decode(frame(0, new Uint8Array()).subarray(0, length))).reason)
          .withContext(String(length))
          .toMatch(/^truncated frame: /);
      }
    });

    it('a header length beyond the end of the buffer', () => {
      const header = utf8('{"type":"stream"}');
      expect(errorOf(decode(frame(header.length + 1, header))).reason).toBe(
        `truncated frame: header length ${header.length + 1} exceeds the ${header.length} bytes that follow`,
      );
      expect(errorOf(decode(frame(0xffffffff, header))).reason).toMatch(
        /^truncated frame: header length 4294967295/,
      );
    });

    it('a header cut short, so that its JSON is incomplete', () => {
      const header = utf8('{"type":"stream"}');
      expect(errorOf(decode(frame(header.length - 1, header, [1]))).reason).toMatch(
        /^invalid JSON in frame header/,
      );
    });

    it('an unknown frame version, or a NUL that starts no frame', () => {
      const bytes = frame(2, utf8('{}'));
      bytes[3] = 0x02;
      expect(errorOf(decode(bytes)).reason).toBe('unsupported frame version 2');
      expect(errorOf(decode(new Uint8Array([0, 1, 2, 3, 4]))).reason).toBe(
        'not JSON and not an rxmini frame (starts 00 01 02 03)',
      );
      expect(errorOf(decode(new Uint8Array([0, 0x52]))).reason).toMatch(/^not JSON and not an rxmini frame/);
    });

    it('a frame header that is not an object, is invalid, or holds rawBody itself', () => {
      expect(errorOf(decode(frame(3, utf8('[1]')))).reason).toBe('expected a JSON object, got array');
      expect(errorOf(decode(frame(2, new Uint8Array([0xc3, 0x28])))).reason).toBe(
        'invalid UTF-8 in frame header',
      );
      const withRaw = utf8('{"type":"stream","rawBody":"AQ=="}');
      expect(errorOf(decode(frame(withRaw.length, withRaw, [1]))).reason).toMatch(/must not contain rawBody/);
    });
  });

  describe('properties', () => {
    it('never throws on 10,000 random byte arrays; every failure is a DecodeError', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (bytes) => wellBehaved(decode(bytes))),
        { numRuns: 10000 },
      );
    });

    it('never throws on 10,000 random byte arrays behind a frame magic', () => {
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 256 }), (tail) =>
          wellBehaved(decode(new Uint8Array([...FRAME_MAGIC, ...tail]))),
        ),
        { numRuns: 10000 },
      );
    });

    it('never throws on 10,000 random JSON values, parsed or as bytes', () => {
      fc.assert(
        fc.property(
          fc.jsonValue(),
          (value) => wellBehaved(decodeJson(value)) && wellBehaved(decode(utf8(JSON.stringify(value)))),
        ),
        { numRuns: 10000 },
      );
    });

    it('never throws on 10,000 message-shaped objects with random field values', () => {
      const field = fc.oneof(fc.jsonValue(), fc.constant(undefined), fc.uint8Array({ maxLength: 4 }));
      const shaped = fc.record(
        {
          type: field,
          node: field,
          contextID: field,
          replyTo: field,
          header: fc.oneof(field, fc.dictionary(fc.string(), field)),
          body: field,
          rawBody: field,
          statusCode: field,
        },
        { requiredKeys: [] },
      );
      fc.assert(
        fc.property(shaped, (value) => wellBehaved(decodeJson(value))),
        { numRuns: 10000 },
      );
    });

    it('never throws on values that are not JSON at all', () => {
      const cycle: Record<string, unknown> = { type: 'event' };
      cycle['body'] = { back: cycle };
      const hostile = {
        get type(): string {
          throw new Error('getter');
        },
      };
      const revoked = Proxy.revocable({}, {});
      revoked.revoke();
      for (const value of [cycle, hostile, revoked.proxy, { type: 'e', body: { n: 1n } }, Symbol('s')]) {
        expect(wellBehaved(decodeJson(value))).toBeTrue();
        expect(E.isLeft(decodeJson(value))).toBeTrue();
      }
    });

    const body = fc
      .dictionary(fc.string({ unit: 'binary' }), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 6 })
      // JSON has no -0; a round trip through text is what any body can promise.
      .map((b) => JSON.parse(JSON.stringify(b)) as JsonObject);
    const fields = {
      type: fc.string({ unit: 'binary' }),
      node: fc.string(),
      contextID: fc.uuid(),
      replyTo: fc.string(),
      header: fc.dictionary(fc.string({ unit: 'binary' }), fc.string({ unit: 'binary' })),
      body,
      statusCode: fc.maxSafeInteger(),
    };
    const withoutRaw: fc.Arbitrary<Message> = fc.record(fields, { requiredKeys: ['type'] });
    const withRaw: fc.Arbitrary<Message> = fc.record(
      { ...fields, rawBody: fc.uint8Array({ maxLength: 1024 }) },
      { requiredKeys: ['type', 'rawBody'] },
    );

    it('round-trips 10,000 messages without rawBody through JSON', () => {
      fc.assert(
        fc.property(withoutRaw, (msg) => {
          const bytes = encode(msg);
          expect(bytes[0]).not.toBe(0x00);
          expect(decode(bytes)).toEqual(E.right(msg));
        }),
        { numRuns: 10000 },
      );
    });

    it('round-trips 10,000 messages with rawBody through a binary frame', () => {
      fc.assert(
        fc.property(withRaw, (msg) => {
          const bytes = encode(msg);
          expect(Array.from(bytes.subarray(0, 4))).toEqual([...FRAME_MAGIC]);
          expect(decode(bytes)).toEqual(E.right(msg));
        }),
        { numRuns: 10000 },
      );
    });
  });
});

describe('decodeJson', () => {
  it('decodes an already-parsed value', () => {
    expect(decodeJson({ type: 'event', body: { a: 1 } })).toEqual(E.right({ type: 'event', body: { a: 1 } }));
  });

  it('rejects a non-object with a DecodeError', () => {
    expect(errorOf(decodeJson(undefined)).reason).toBe('expected a JSON object, got undefined');
  });

  it('lists field issues', () => {
    expect(errorOf(decodeJson({ type: 1, replyTo: false })).issues.map((i) => i.path)).toEqual([
      'type',
      'replyTo',
    ]);
  });
});
