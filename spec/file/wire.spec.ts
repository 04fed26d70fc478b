import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { decode, encode } from '../../src/codec/wire.js';
import type { Message } from '../../src/codec/message.js';
import { FileFrameError } from '../../src/file/errors.js';
import {
  CHUNK_ENVELOPE_BYTES,
  decodeFileFrame,
  decodeFileReply,
  encodeFileFrame,
  encodeFileReply,
  maxChunkSize,
  type FileChunk,
  type FileDataFrame,
  type FileReplyFrame,
} from '../../src/file/wire.js';

const SHA = 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad';
const REPLY = '_file.f1#ephemeral';

/** Through the wire and back: encode to bytes, decode the message, decode the frame. */
const roundTrip = (frame: FileDataFrame): E.Either<FileFrameError, FileDataFrame> => {
  const msg = decode(encode(encodeFileFrame(frame, REPLY)));
  if (E.isLeft(msg)) throw msg.left;
  return decodeFileFrame(msg.right);
};

const chunk = (over: Partial<FileChunk> = {}): FileChunk => ({
  kind: 'chunk',
  id: 'f1',
  index: 2,
  total: 4,
  offset: 2_000,
  size: 3,
  sha256: SHA,
  bytes: new Uint8Array([1, 2, 3]),
  ...over,
});

const msgOf = (body: Record<string, unknown>, rawBody?: Uint8Array): Message => ({
  type: 'stream',
  body: body as Message['body'],
  ...(rawBody ? { rawBody } : {}),
});

describe('file frames', () => {
  it('carries a chunk as a binary frame: the bytes verbatim after the JSON header, no base64', () => {
    const bytes = Uint8Array.from({ length: 300 }, (_, i) => i & 0xff);
    const wire = encode(encodeFileFrame(chunk({ bytes, size: 300 }), REPLY));
    expect(Array.from(wire.subarray(0, 4))).toEqual([0x00, 0x52, 0x58, 0x01]);
    expect(wire.subarray(wire.length - 300)).toEqual(bytes);
    expect(wire.length - 300).toBeLessThanOrEqual(CHUNK_ENVELOPE_BYTES);
  });

  it('round-trips every frame kind', () => {
    const frames: FileDataFrame[] = [
      {
        kind: 'start',
        id: 'f1',
        name: 'a.txt',
        size: 10,
        chunkSize: 4,
        total: 3,
        mime: 'text/plain',
        metadata: { a: 1 },
      },
      { kind: 'start', id: 'f1', name: 'a.txt', size: null, chunkSize: 4, total: null },
      chunk(),
      chunk({ total: null }),
      { kind: 'manifest', id: 'f1', size: 10, total: 3, sha256: SHA },
    ];
    for (const frame of frames) expect(roundTrip(frame)).toEqual(E.right(frame));
    const replies: FileReplyFrame[] = [
      { kind: 'ack', id: 'f1', indices: [0, 5] },
      { kind: 'status', id: 'f1', upTo: 9, missing: [3], more: false },
      { kind: 'done', id: 'f1', sha256: SHA },
      { kind: 'failed', id: 'f1', error: 'InvalidPathError', reason: 'no' },
      { kind: 'unknown', id: 'f1' },
    ];
    for (const frame of replies) {
      const msg = decode(encode(encodeFileReply(frame)));
      expect(E.isRight(msg) && decodeFileReply(msg.right)).toEqual(E.right(frame));
    }
  });

  it('keeps the envelope of the largest chunk header within CHUNK_ENVELOPE_BYTES', () => {
    const big = Number.MAX_SAFE_INTEGER;
    const frame = chunk({
      id: 'x'.repeat(64),
      index: big - 1,
      total: big,
      offset: big,
      size: 0,
      bytes: new Uint8Array(),
    });
    const bytes = encode(encodeFileFrame(frame, `_file.${'x'.repeat(48)}#ephemeral`.padEnd(64, 'x')));
    expect(bytes.length).toBeLessThanOrEqual(CHUNK_ENVELOPE_BYTES);
    expect(maxChunkSize(1_048_576)).toBe(1_048_576 - CHUNK_ENVELOPE_BYTES);
  });

  it('round-trips any chunk (property)', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 500 }),
        fc.nat({ max: 1_000 }),
        fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/),
        (bytes, index, id) => {
          const frame = chunk({
            id,
            index,
            total: index + 1,
            offset: index * 500,
            size: bytes.length,
            bytes,
          });
          expect(roundTrip(frame)).toEqual(E.right(frame));
        },
      ),
    );
  });

  it('refuses malformed frames with a FileFrameError naming the problem, never throwing', () => {
    const bad: [Message, RegExp][] = [
      [msgOf({ file: 'nope' }), /not start, chunk or manifest/],
      [msgOf({}), /missing/],
      [
        msgOf({ file: 'chunk', id: 'f1', index: 0, total: 1, offset: 0, size: 3, sha256: SHA }),
        /no raw bytes/,
      ],
      [
        msgOf(
          { file: 'chunk', id: 'f1', index: 0, total: 1, offset: 0, size: 3, sha256: SHA },
          new Uint8Array(2),
        ),
        /2 raw bytes, size says 3/,
      ],
      [
        msgOf(
          { file: 'chunk', id: 'f1', index: 4, total: 4, offset: 0, size: 1, sha256: SHA },
          new Uint8Array(1),
        ),
        /index 4 is not below total 4/,
      ],
      [
        msgOf(
          { file: 'chunk', id: 'f1', index: -1, total: 4, offset: 0, size: 1, sha256: SHA },
          new Uint8Array(1),
        ),
        /non-negative/,
      ],
      [
        msgOf(
          { file: 'chunk', id: 'f1', index: 0, total: 4, offset: 0, size: 1, sha256: 'XYZ' },
          new Uint8Array(1),
        ),
        /sha256/,
      ],
      [
        msgOf(
          { file: 'chunk', id: '../x', index: 0, total: 4, offset: 0, size: 1, sha256: SHA },
          new Uint8Array(1),
        ),
        /file id/,
      ],
      [
        msgOf({ file: 'start', id: 'f1', name: 'a', size: 10, chunkSize: 4, total: 2 }),
        /total 2 does not match/,
      ],
      [msgOf({ file: 'start', id: 'f1', name: 'a', size: 10, chunkSize: 0, total: 3 }), /positive/],
      [msgOf({ file: 'manifest', id: 'f1', size: 1.5, total: 1, sha256: SHA }), /non-negative integer/],
    ];
    for (const [msg, reason] of bad) {
      const result = decodeFileFrame(msg);
      expect(E.isLeft(result)).withContext(JSON.stringify(msg.body)).toBeTrue();
      if (E.isLeft(result)) {
        expect(result.left).toBeInstanceOf(FileFrameError);
        expect(result.left.message).toMatch(reason);
      }
    }
    expect(E.isLeft(decodeFileReply(msgOf({ file: 'status', id: 'f1', missing: 'all' })))).toBeTrue();
    expect(E.isLeft(decodeFileReply(msgOf({ file: 'chunk' })))).toBeTrue();
  });
});
