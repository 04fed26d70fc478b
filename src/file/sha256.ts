/**
 * SHA-256 (FIPS 180-4), incremental and synchronous, in plain TypeScript: what
 * the browser-safe file transfer hashes chunks and whole files with. WebCrypto's
 * `crypto.subtle.digest` is neither incremental nor synchronous, so a file that
 * streams through cannot be hashed with it.
 *
 * @packageDocumentation
 */

/** An incremental hash: feed bytes with `update`, read the hex digest once with `digest`. */
export interface Hasher {
  /** Adds bytes; returns the same hasher. */
  update(bytes: Uint8Array): Hasher;
  /** The digest as 64 lowercase hex characters. The hasher is spent afterwards. */
  digest(): string;
}

/** Makes a fresh SHA-256 {@link Hasher}. Node's `rxmini/node` has a faster one over `node:crypto`. */
export type HasherFactory = () => Hasher;

// the first 32 bits of the fractional parts of the cube roots of the first 64 primes
const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98,
  0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786,
  0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da, 0x983e5152, 0xa831c66d, 0xb00327c8,
  0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819,
  0xd6990624, 0xf40e3585, 0x106aa070, 0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a,
  0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7,
  0xc67178f2,
]);

const INITIAL = [
  0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
];

const hexByte = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'));

/**
 * A SHA-256 {@link Hasher} in plain TypeScript, browser-safe.
 *
 * @example
 * ```ts
 * import { sha256 } from 'rxmini';
 * const hex = sha256().update(new TextEncoder().encode('abc')).digest();
 * // 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'
 * ```
 */
export const sha256: HasherFactory = () => {
  const h = new Uint32Array(INITIAL);
  const w = new Uint32Array(64);
  const block = new Uint8Array(64);
  let blockLength = 0;
  let total = 0;
  let done = false;

  /** Compresses the 64 bytes of `bytes` from `at` into the state. */
  const compress = (bytes: Uint8Array, at: number): void => {
    for (let i = 0; i < 16; i++) {
      const j = at + i * 4;
      w[i] = ((bytes[j]! << 24) | (bytes[j + 1]! << 16) | (bytes[j + 2]! << 8) | bytes[j + 3]!) >>> 0;
    }
    for (let i = 16; i < 64; i++) {
      const a = w[i - 15]!;
      const b = w[i - 2]!;
      const s0 = ((a >>> 7) | (a << 25)) ^ ((a >>> 18) | (a << 14)) ^ (a >>> 3);
      const s1 = ((b >>> 17) | (b << 15)) ^ ((b >>> 19) | (b << 13)) ^ (b >>> 10);
      w[i] = (w[i - 16]! + s0 + w[i - 7]! + s1) | 0;
    }
    let a = h[0]!;
    let b = h[1]!;
    let c = h[2]!;
    let d = h[3]!;
    let e = h[4]!;
    let f = h[5]!;
    let g = h[6]!;
    let k = h[7]!;
    for (let i = 0; i < 64; i++) {
      const S1 = ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
      const ch = (e & f) ^ (~e & g);
      const t1 = (k + S1 + ch + K[i]! + w[i]!) | 0;
      const S0 = ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
      const maj = (a & b) ^ (a & c) ^ (b & c);
      const t2 = (S0 + maj) | 0;
      k = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    h[0] = h[0]! + a;
    h[1] = h[1]! + b;
    h[2] = h[2]! + c;
    h[3] = h[3]! + d;
    h[4] = h[4]! + e;
    h[5] = h[5]! + f;
    h[6] = h[6]! + g;
    h[7] = h[7]! + k;
  };

  const hasher: Hasher = {
    update(bytes) {
      if (done) throw new Error('sha256: update after digest');
      total += bytes.length;
      let at = 0;
      if (blockLength > 0) {
        const take = Math.min(64 - blockLength, bytes.length);
        block.set(bytes.subarray(0, take), blockLength);
        blockLength += take;
        at = take;
        if (blockLength < 64) return hasher;
        compress(block, 0);
        blockLength = 0;
      }
      for (; at + 64 <= bytes.length; at += 64) compress(bytes, at);
      if (at < bytes.length) {
        block.set(bytes.subarray(at), 0);
        blockLength = bytes.length - at;
      }
      return hasher;
    },
    digest() {
      if (done) throw new Error('sha256: digest called twice');
      done = true;
      const bits = total * 8;
      block[blockLength++] = 0x80;
      if (blockLength > 56) {
        block.fill(0, blockLength);
        compress(block, 0);
        blockLength = 0;
      }
      block.fill(0, blockLength, 56);
      const view = new DataView(block.buffer);
      view.setUint32(56, Math.floor(bits / 0x1_0000_0000), false);
      view.setUint32(60, bits >>> 0, false);
      compress(block, 0);
      let hex = '';
      for (let i = 0; i < 8; i++) {
        const word = h[i]!;
        hex +=
          hexByte[word >>> 24]! +
          hexByte[(word >>> 16) & 0xff]! +
          hexByte[(word >>> 8) & 0xff]! +
          hexByte[word & 0xff]!;
      }
      return hex;
    },
  };
  return hasher;
};

/**
 * The SHA-256 of `bytes` as 64 lowercase hex characters, with `hasher` (default {@link sha256}).
 *
 * @example
 * ```ts
 * import { sha256Hex } from 'rxmini';
 * sha256Hex(new Uint8Array()); // 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'
 * ```
 */
export const sha256Hex = (bytes: Uint8Array, hasher: HasherFactory = sha256): string =>
  hasher().update(bytes).digest();
