import { isLeft, isRight, type Either } from 'fp-ts/lib/Either.js';
import { decodeGoMini, encodeGoMini, toBase64 } from '../../src/codec/goMini.js';
import type { Message } from '../../src/codec/message.js';
import { decode, encode } from '../../src/codec/wire.js';
import { DecodeError } from '../../src/errors.js';
import {
  FULL_MESSAGE,
  GO_FIXTURES,
  RAW_MESSAGE,
  TYPELESS_STRICT_ERROR,
  utf8,
} from '../helpers/goMiniFixtures.js';

const right = <A>(e: Either<unknown, A>): A => {
  if (isLeft(e)) throw new Error(`expected right, got ${String(e.left)}`);
  return e.right;
};

const text = (bytes: Uint8Array): string => new TextDecoder().decode(bytes);

describe('codec/goMini', () => {
  describe('the wire fixtures the Go mini wrote', () => {
    it('decodes the full message and the raw one the same way strict and with compat', () => {
      for (const decodeIt of [decode, (b: Uint8Array) => decodeGoMini(b)]) {
        expect(right(decodeIt(utf8(GO_FIXTURES.full)))).toEqual(FULL_MESSAGE);
        expect(right(decodeIt(utf8(GO_FIXTURES.raw)))).toEqual(RAW_MESSAGE);
      }
    });

    it('refuses the type-less ones strict, with a DecodeError naming type; compat gives them the default type', () => {
      for (const fixture of [GO_FIXTURES.typeless, GO_FIXTURES.bare]) {
        const strict = decode(utf8(fixture));
        expect(isLeft(strict) && strict.left).toEqual(jasmine.any(DecodeError));
        expect(isLeft(strict) && strict.left.message).toBe(TYPELESS_STRICT_ERROR);
      }
      expect(right(decodeGoMini(utf8(GO_FIXTURES.typeless)))).toEqual({
        type: 'event',
        contextID: 'null',
        body: { hello: 'world' },
      });
      expect(right(decodeGoMini(utf8(GO_FIXTURES.bare), { defaultType: 'publish' }))).toEqual({
        type: 'publish',
        contextID: 'null',
      });
    });

    it('encodes the decoded fixtures back to the bytes Go wrote', () => {
      expect(text(encodeGoMini(right(decodeGoMini(utf8(GO_FIXTURES.full)))))).toBe(GO_FIXTURES.full);
      expect(text(encodeGoMini(right(decodeGoMini(utf8(GO_FIXTURES.raw)))))).toBe(GO_FIXTURES.raw);
    });
  });

  describe('encodeGoMini', () => {
    it('writes plain JSON for raw bytes (base64), never the binary frame', () => {
      const msg: Message = { type: 'stream', contextID: 'c', rawBody: new Uint8Array([0, 0x52, 0x58, 1]) };
      const bytes = encodeGoMini(msg);
      expect(encode(msg)[0]).toBe(0); // strict: the frame
      expect(bytes[0]).toBe('{'.charCodeAt(0));
      expect(JSON.parse(text(bytes))).toEqual({ type: 'stream', contextID: 'c', rawBody: 'AFJYAQ==' });
      expect(right(decodeGoMini(bytes))).toEqual(msg);
    });

    it("leaves out what Go's omitempty leaves out, and sorts map keys at every depth", () => {
      const msg: Message = {
        type: 'event',
        node: '',
        contextID: 'c',
        header: {},
        body: { b: { z: 1, a: [{ y: 1, x: 2 }] }, a: 'x' },
        rawBody: new Uint8Array(),
        statusCode: 0,
      };
      expect(text(encodeGoMini(msg))).toBe(
        '{"type":"event","contextID":"c","body":{"a":"x","b":{"a":[{"x":2,"y":1}],"z":1}}}',
      );
    });

    it('escapes <, >, &, U+2028 and U+2029 as Go does, and JSON.parse reads them back', () => {
      const msg: Message = { type: 'event', contextID: 'c', body: { s: '<a href="x">&\u2028\u2029' } };
      const written = text(encodeGoMini(msg));
      expect(written).toContain('\\u003ca href=\\"x\\"\\u003e\\u0026\\u2028\\u2029');
      expect(JSON.parse(written)).toEqual({ type: 'event', contextID: 'c', body: msg.body });
    });

    it('encodes large raw bodies (base64 in slices)', () => {
      const big = new Uint8Array(200_000).map((_, i) => i % 256);
      const decoded = right(decodeGoMini(encodeGoMini({ type: 'stream', contextID: 'c', rawBody: big })));
      expect(decoded.rawBody).toEqual(big);
      expect(toBase64(new Uint8Array([0xff, 0xfe]))).toBe('//4=');
    });
  });

  describe('decodeGoMini', () => {
    it('reads healthCheck as health, and an empty type as the default', () => {
      expect(right(decodeGoMini(utf8('{"type":"healthCheck","contextID":"c","replyTo":"r"}'))).type).toBe(
        'health',
      );
      expect(right(decode(utf8('{"type":"healthCheck","contextID":"c"}'))).type).toBe('healthCheck');
      expect(right(decodeGoMini(utf8('{"type":"","contextID":"c"}'))).type).toBe('event');
    });

    it("still reads rxmini's binary frame, from peers in strict mode", () => {
      const msg: Message = { type: 'stream', contextID: 'c', rawBody: new Uint8Array([9, 8]) };
      expect(right(decodeGoMini(encode(msg)))).toEqual(msg);
    });

    it('fails with a DecodeError on what is no message: empty, not JSON, not an object, wrong field types', () => {
      for (const bad of [
        new Uint8Array(),
        utf8('{"type":'),
        utf8('[1]'),
        utf8('{"contextID":7}'),
        new Uint8Array([0xff]),
      ]) {
        const result = decodeGoMini(bad);
        expect(isLeft(result) && result.left)
          .withContext(text(bad))
          .toEqual(jasmine.any(DecodeError));
      }
      expect(isRight(decodeGoMini(utf8('{}')))).toBeTrue(); // a type-less empty object: the default type
    });
  });
});
