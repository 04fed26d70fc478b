/**
 * nsqd's frames (`size`, `frame type`, data), cut out of the bytes a socket
 * delivers in pieces, in linear time: each piece is kept as it is, and bytes
 * are copied once, into the frame that spans pieces.
 *
 * nsqjs 0.13's own FrameBuffer concatenates everything buffered with each new
 * piece, so a message of 1 MiB arriving in 64 KiB reads costs about 8.5 MiB
 * of copies and as much short-lived memory.
 *
 * @packageDocumentation
 */

/** Frames of at least this many bytes that span socket reads get memory of their own, marked as such. */
const OWN_FRAME_BYTES = 16 * 1024;

/** Memory {@link linearFrameBuffer} allocated for one frame alone (and nothing else ever writes to). */
const ownFrameMemory = new WeakSet<ArrayBufferLike>();

/**
 * True when `bytes` lie in memory the frame buffer allocated for their frame
 * alone: a large frame that spanned socket reads, copied out of them. False for
 * a frame cut out of a socket read, which may hold other frames too.
 */
export const inOwnFrameMemory = (bytes: Uint8Array): boolean => ownFrameMemory.has(bytes.buffer);

/** A frame: its type (0 response, 1 error, 2 message) and its data. */
export type Frame = [frameType: number, data: Buffer];

/** What nsqjs's NSQDConnection calls on its `frameBuffer`. */
export interface FrameBufferLike {
  consume(raw: Buffer): void;
  nextFrame(): Frame | undefined;
  /** What is buffered and not yet a frame, as one buffer (nsqjs reads it when compression starts, then sets null). */
  buffer: Buffer | null | undefined;
}

/** A linear-time replacement for nsqjs's FrameBuffer. */
export const linearFrameBuffer = (): FrameBufferLike => {
  let pieces: Buffer[] = [];
  let length = 0;

  /** The first `n` buffered bytes as one buffer (no copy when they are in the first piece), removed. */
  const take = (n: number): Buffer => {
    const first = pieces[0] as Buffer;
    let out: Buffer;
    if (first.length >= n) {
      out = first.subarray(0, n);
      if (first.length === n) pieces.shift();
      else pieces[0] = first.subarray(n);
    } else if (n >= OWN_FRAME_BYTES) {
      // never a slice of Node's shared pool: this frame's memory alone
      out = Buffer.allocUnsafeSlow(n);
      ownFrameMemory.add(out.buffer);
      copyPieces(out, n);
    } else {
      out = Buffer.allocUnsafe(n);
      copyPieces(out, n);
    }
    length -= n;
    return out;
  };

  /** Moves the first `n` buffered bytes (more than the first piece holds) into `out`. */
  const copyPieces = (out: Buffer, n: number): void => {
    let filled = 0;
    while (filled < n) {
      const piece = pieces[0] as Buffer;
      const count = Math.min(piece.length, n - filled);
      piece.copy(out, filled, 0, count);
      filled += count;
      if (count === piece.length) pieces.shift();
      else pieces[0] = piece.subarray(count);
    }
  };

  /** The 4-byte big-endian integer at `offset` of the buffered bytes (which must hold it). */
  const int32At = (offset: number): number => {
    const first = pieces[0] as Buffer;
    if (first.length >= offset + 4) return first.readInt32BE(offset);
    let value = 0;
    let index = 0;
    let skip = offset;
    while (skip >= (pieces[index] as Buffer).length) {
      skip -= (pieces[index] as Buffer).length;
      index += 1;
    }
    for (let i = 0; i < 4; i++) {
      let piece = pieces[index] as Buffer;
      if (skip >= piece.length) {
        index += 1;
        skip = 0;
        piece = pieces[index] as Buffer;
      }
      value = (value << 8) | (piece[skip] as number);
      skip += 1;
    }
    return value | 0;
  };

  return {
    consume(raw) {
      if (raw.length === 0) return;
      pieces.push(raw);
      length += raw.length;
    },
    nextFrame() {
      if (length < 8) return undefined;
      const size = int32At(0);
      if (length < 4 + size) return undefined;
      const frame = take(4 + size);
      return [frame.readInt32BE(4), frame.subarray(8)];
    },
    get buffer() {
      return length === 0 ? undefined : Buffer.concat(pieces, length);
    },
    set buffer(value) {
      pieces = value ? [value] : [];
      length = value ? value.length : 0;
    },
  };
};

/**
 * Gives an nsqjs NSQDConnection the {@link linearFrameBuffer} in place of its
 * own, when it has the shape expected (nsqjs 0.13: a `frameBuffer` with
 * `consume` and `nextFrame`, still empty); otherwise leaves it alone. Returns
 * whether it did.
 */
export const useLinearFrames = (conn: object): boolean => {
  const target = conn as { frameBuffer?: { consume?: unknown; nextFrame?: unknown; buffer?: unknown } };
  const current = target.frameBuffer;
  if (
    typeof current !== 'object' ||
    current === null ||
    typeof current.consume !== 'function' ||
    typeof current.nextFrame !== 'function' ||
    (current.buffer !== undefined && current.buffer !== null)
  ) {
    return false;
  }
  target.frameBuffer = linearFrameBuffer();
  return true;
};
