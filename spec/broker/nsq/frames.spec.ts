import fc from 'fast-check';
import { inOwnFrameMemory, linearFrameBuffer, useLinearFrames } from '../../../src/broker/nsq/frames';

// nsqjs's own, the reference: same frames for the same bytes however they are split
// eslint-disable-next-line @typescript-eslint/no-require-imports
const NsqjsFrameBuffer = require('nsqjs/lib/framebuffer') as new () => {
  consume(raw: Buffer): void;
  nextFrame(): [number, Buffer] | undefined;
};

/** nsqd's framing: size (type + data), type, data. */
const frameOf = (type: number, data: Buffer): Buffer => {
  const head = Buffer.alloc(8);
  head.writeInt32BE(4 + data.length, 0);
  head.writeInt32BE(type, 4);
  return Buffer.concat([head, data]);
};

const split = (bytes: Buffer, cuts: readonly number[]): Buffer[] => {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const pieces: Buffer[] = [];
  let at = 0;
  for (const point of [...points, bytes.length]) {
    pieces.push(bytes.subarray(at, point));
    at = point;
  }
  return pieces;
};

const drain = (
  fb: { consume(raw: Buffer): void; nextFrame(): [number, Buffer] | undefined },
  pieces: Buffer[],
) => {
  const frames: [number, string][] = [];
  for (const piece of pieces) {
    fb.consume(piece);
    for (let f = fb.nextFrame(); f; f = fb.nextFrame()) frames.push([f[0], f[1].toString('hex')]);
  }
  return frames;
};

describe('linearFrameBuffer', () => {
  it('cuts the same frames as nsqjs out of the same bytes, however the socket splits them', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 2 }), fc.uint8Array({ maxLength: 300 })), {
          maxLength: 8,
        }),
        fc.array(fc.nat(), { maxLength: 20 }),
        (frames, cuts) => {
          const bytes = Buffer.concat(frames.map(([type, data]) => frameOf(type, Buffer.from(data))));
          const pieces = split(bytes, cuts);
          const expected = frames.map(([type, data]) => [type, Buffer.from(data).toString('hex')]);
          expect(drain(linearFrameBuffer(), pieces)).toEqual(expected as [number, string][]);
          expect(drain(new NsqjsFrameBuffer(), pieces)).toEqual(expected as [number, string][]);
        },
      ),
    );
  });

  it('gives a large frame that spans socket reads memory of its own, marked so; never a frame cut out of a read', () => {
    const fb = linearFrameBuffer();
    const large = Buffer.alloc(20_000, 7);
    const small = Buffer.from('small');
    // a read holding a small frame and the start of the large one; the large one ends in the next read
    const bytes = Buffer.concat([frameOf(2, small), frameOf(2, large), frameOf(2, small)]);
    const cut = 13 + 5_000;
    fb.consume(bytes.subarray(0, cut));
    const first = fb.nextFrame();
    expect(first?.[1].toString()).toBe('small');
    expect(fb.nextFrame()).toBeUndefined();
    fb.consume(bytes.subarray(cut));
    const second = fb.nextFrame();
    const third = fb.nextFrame();
    expect(second?.[1].equals(large)).toBeTrue();
    expect(third?.[1].toString()).toBe('small');
    // the large frame was copied out of two reads into its own memory; the small ones are views of a read
    expect(inOwnFrameMemory(second?.[1] as Buffer)).toBeTrue();
    expect(second?.[1].buffer).not.toBe(bytes.buffer);
    expect(inOwnFrameMemory(first?.[1] as Buffer)).toBeFalse();
    expect(inOwnFrameMemory(third?.[1] as Buffer)).toBeFalse();
    // a small frame across reads is copied, into Node's shared pool: not its own memory
    const again = linearFrameBuffer();
    const split2 = frameOf(2, Buffer.from('across'));
    again.consume(split2.subarray(0, 10));
    again.consume(split2.subarray(10));
    const across = again.nextFrame();
    expect(across?.[1].toString()).toBe('across');
    expect(inOwnFrameMemory(across?.[1] as Buffer)).toBeFalse();
  });

  it('reads a size split across pieces byte by byte', () => {
    const bytes = frameOf(2, Buffer.from('hello world'));
    const pieces = Array.from(bytes, (b) => Buffer.from([b]));
    expect(drain(linearFrameBuffer(), pieces)).toEqual([[2, Buffer.from('hello world').toString('hex')]]);
  });

  it('hands what it holds to nsqjs when compression starts, and forgets it', () => {
    const fb = linearFrameBuffer();
    fb.consume(Buffer.from([0, 0]));
    fb.consume(Buffer.from([0, 9]));
    expect(fb.buffer).toEqual(Buffer.from([0, 0, 0, 9]));
    fb.buffer = null;
    expect(fb.buffer).toBeUndefined();
    expect(fb.nextFrame()).toBeUndefined();
  });

  it('replaces an nsqjs FrameBuffer that is still empty, and nothing else', () => {
    const conn = { frameBuffer: new NsqjsFrameBuffer() };
    expect(useLinearFrames(conn)).toBeTrue();
    expect(conn.frameBuffer).not.toBeInstanceOf(NsqjsFrameBuffer);
    expect(useLinearFrames({})).toBeFalse();
    const busy = { frameBuffer: new NsqjsFrameBuffer() };
    busy.frameBuffer.consume(Buffer.from([1]));
    expect(useLinearFrames(busy)).toBeFalse();
  });
});
