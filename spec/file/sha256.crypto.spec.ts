// Node only (node:crypto): left out of the browser bundle by scripts/bundle-browser-specs.mjs
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { sha256 } from '../../src/file/sha256.js';

describe('sha256 against node:crypto', () => {
  it('agrees on any bytes fed in any pieces', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 2_000 }),
        fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1 }),
        (data, steps) => {
          const hasher = sha256();
          let at = 0;
          for (let i = 0; at < data.length; i++) {
            const step = steps[i % steps.length] as number;
            hasher.update(data.subarray(at, at + step));
            at += step;
          }
          expect(hasher.digest()).toBe(createHash('sha256').update(data).digest('hex'));
        },
      ),
      { numRuns: 300 },
    );
  });
});
