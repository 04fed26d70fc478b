import { INLINE_BODY_BYTES, encodeMpub, encodePub } from '../../../src/broker/nsq/wire.js';

const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('NSQ wire encoding', () => {
  it('encodes PUB as the command line, a size and the body', () => {
    const body = Buffer.from('héllo');
    expect(Buffer.concat(encodePub('orders.created', body))).toEqual(
      Buffer.concat([Buffer.from('PUB orders.created\n'), int32(6), body]),
    );
  });

  it('encodes MPUB as the command line, the body size, a count and each sized message', () => {
    const a = Buffer.from('a');
    const b = new Uint8Array([0, 255, 10]);
    const expected = Buffer.concat([
      Buffer.from('MPUB t#ephemeral\n'),
      int32(4 + 4 + 1 + 4 + 3),
      int32(2),
      int32(1),
      a,
      int32(3),
      Buffer.from(b),
    ]);
    expect(encodeMpub('t#ephemeral', [a, b])).toEqual([expected]);
  });

  it('encodes bodies at offsets inside a shared ArrayBuffer correctly', () => {
    const pool = Buffer.from('xxabcxx');
    const slice = pool.subarray(2, 5);
    expect(
      Buffer.concat(encodeMpub('t', [slice]))
        .subarray(-3)
        .toString(),
    ).toBe('abc');
    expect(Buffer.concat(encodePub('t', slice)).subarray(-3).toString()).toBe('abc');
  });

  /** Whether `piece` is a view of `body`'s own memory (not a copy). */
  const sameMemory = (piece: Uint8Array | undefined, body: Uint8Array): boolean =>
    piece !== undefined &&
    piece.buffer === body.buffer &&
    piece.byteOffset === body.byteOffset &&
    piece.byteLength === body.byteLength;

  it('writes a small body copied in one piece with the command, a large one as a piece of its own, not copied', () => {
    const small = Buffer.alloc(INLINE_BODY_BYTES - 1, 1);
    expect(encodePub('t', small).length).toBe(1);
    const large = new Uint8Array(INLINE_BODY_BYTES).fill(7);
    const pieces = encodePub('t', large);
    expect(pieces.length).toBe(2);
    expect(sameMemory(pieces[1], large)).toBeTrue();
    expect(Buffer.concat(pieces)).toEqual(
      Buffer.concat([Buffer.from('PUB t\n'), int32(INLINE_BODY_BYTES), Buffer.from(large)]),
    );
  });

  it('writes an MPUB of large and small bodies as the same bytes, the large bodies as pieces of their own', () => {
    const pool = new Uint8Array(3 * INLINE_BODY_BYTES);
    for (let i = 0; i < pool.length; i++) pool[i] = i % 251;
    const large1 = pool.subarray(0, INLINE_BODY_BYTES + 5);
    const large2 = pool.subarray(INLINE_BODY_BYTES + 5, 2 * INLINE_BODY_BYTES + 5);
    const small1 = Buffer.from('first');
    const small2 = Buffer.from('between');
    const small3 = Buffer.from('last');
    const bodies = [small1, large1, small2, large2, small3];
    const pieces = encodeMpub('files', bodies);
    const expected = Buffer.concat([
      Buffer.from('MPUB files\n'),
      int32(4 + bodies.reduce((sum, body) => sum + 4 + body.length, 0)),
      int32(bodies.length),
      ...bodies.flatMap((body) => [int32(body.length), Buffer.from(body)]),
    ]);
    expect(Buffer.concat(pieces)).toEqual(expected);
    // [head, count, size, small1, size] large1 [size, small2, size] large2 [size, small3]
    expect(pieces.length).toBe(5);
    expect(sameMemory(pieces[1], large1)).toBeTrue();
    expect(sameMemory(pieces[3], large2)).toBeTrue();
  });

  it('ends an MPUB whose last body is large with that body, no empty piece', () => {
    const large = Buffer.alloc(INLINE_BODY_BYTES, 3);
    const pieces = encodeMpub('t', [large, large]);
    expect(pieces.map((piece) => piece.length)).toEqual([
      'MPUB t\n'.length + 4 + 4 + 4,
      INLINE_BODY_BYTES,
      4,
      INLINE_BODY_BYTES,
    ]);
    expect(Buffer.concat(pieces).readInt32BE('MPUB t\n'.length)).toBe(4 + 2 * (4 + INLINE_BODY_BYTES));
  });
});
