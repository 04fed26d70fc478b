import { encodeMpub, encodePub } from '../../../src/broker/nsq/wire.js';

const int32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};

describe('NSQ wire encoding', () => {
  it('encodes PUB as the command line, a size and the body', () => {
    const body = Buffer.from('héllo');
    expect(encodePub('orders.created', body)).toEqual(
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
    expect(encodeMpub('t#ephemeral', [a, b])).toEqual(expected);
  });

  it('encodes bodies at offsets inside a shared ArrayBuffer correctly', () => {
    const pool = Buffer.from('xxabcxx');
    const slice = pool.subarray(2, 5);
    expect(encodeMpub('t', [slice]).subarray(-3).toString()).toBe('abc');
    expect(encodePub('t', slice).subarray(-3).toString()).toBe('abc');
  });
});
