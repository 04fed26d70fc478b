import { sha256, sha256Hex } from '../../src/file/sha256.js';

const text = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('sha256', () => {
  // FIPS 180-4 / NIST examples
  it('hashes the standard test vectors', () => {
    expect(sha256Hex(new Uint8Array())).toBe(
      'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
    );
    expect(sha256Hex(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(sha256Hex(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
    expect(sha256Hex(new Uint8Array(1_000_000).fill(0x61))).toBe(
      'cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0',
    );
  });

  it('gives the same digest however the input is split', () => {
    const data = Uint8Array.from({ length: 1_000 }, (_, i) => (i * 131) & 0xff);
    const whole = sha256Hex(data);
    for (const step of [1, 3, 55, 56, 63, 64, 65, 127, 999]) {
      const hasher = sha256();
      for (let at = 0; at < data.length; at += step) hasher.update(data.subarray(at, at + step));
      expect(hasher.digest()).withContext(`pieces of ${step}`).toBe(whole);
    }
  });

  it('refuses to be used after its digest', () => {
    const hasher = sha256();
    hasher.digest();
    expect(() => hasher.update(new Uint8Array(1))).toThrowError(/after digest/);
    expect(() => hasher.digest()).toThrowError(/twice/);
  });
});
