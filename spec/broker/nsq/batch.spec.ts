import { mpubBodySize, splitIntoBatches } from '../../../src/broker/nsq/batch.js';

describe('MPUB batching', () => {
  const identity = (n: number): number => n;

  it('measures an MPUB body like nsqd: count + a length before each message', () => {
    expect(mpubBodySize([])).toBe(4);
    expect(mpubBodySize([10, 20])).toBe(42);
  });

  it('keeps everything in one batch when it fits, in order', () => {
    expect(splitIntoBatches([1, 2, 3], identity, 1000)).toEqual([[1, 2, 3]]);
    expect(splitIntoBatches([], identity, 1000)).toEqual([]);
  });

  it('splits at the body limit, each batch within it', () => {
    const sizes = Array.from({ length: 100 }, (_, i) => (i % 7) * 10 + 1);
    const limit = 200;
    const batches = splitIntoBatches(sizes, identity, limit);
    expect(batches.flat()).toEqual(sizes);
    for (const batch of batches) {
      if (batch.length > 1) expect(mpubBodySize(batch)).toBeLessThanOrEqual(limit);
    }
    // fewest batches: adding the next batch's first item would overflow each batch
    for (let i = 0; i < batches.length - 1; i += 1) {
      const next = (batches[i + 1] as number[])[0] as number;
      expect(mpubBodySize([...(batches[i] as number[]), next])).toBeGreaterThan(limit);
    }
  });

  it('sends an item larger than the limit alone', () => {
    expect(splitIntoBatches([5, 500, 5], identity, 100)).toEqual([[5], [500], [5]]);
  });
});
