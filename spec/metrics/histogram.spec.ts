import { InvalidMetricValueError } from '../../src/metrics/errors';
import {
  DEFAULT_LATENCY_BUCKETS,
  assertBuckets,
  cumulativeBuckets,
  estimateQuantile,
  newHistogram,
  recordObservation,
} from '../../src/metrics/histogram';

describe('metrics/histogram', () => {
  const histogramOf = (bounds: readonly number[], values: readonly number[]) => {
    const h = newHistogram(bounds);
    values.forEach((v) => recordObservation(h, v));
    return h;
  };

  it('has the documented default buckets, frozen', () => {
    expect(DEFAULT_LATENCY_BUCKETS).toEqual([
      0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000,
    ]);
    expect(Object.isFrozen(DEFAULT_LATENCY_BUCKETS)).toBeTrue();
  });

  it("puts a value equal to a bound into that bound's bucket (le is inclusive)", () => {
    const h = histogramOf([1, 2], [1, 2, 2.0001]);
    expect(h.counts).toEqual([1, 1, 1]);
    expect(cumulativeBuckets(h)).toEqual([
      { le: 1, count: 1 },
      { le: 2, count: 2 },
      { le: Infinity, count: 3 },
    ]);
  });

  it('tracks sum, count, min and max', () => {
    const h = histogramOf([10], [3, 1, 20]);
    expect([h.sum, h.count, h.min, h.max]).toEqual([24, 3, 1, 20]);
  });

  it('estimates 0 for an empty histogram', () => {
    expect(estimateQuantile(newHistogram([1]), 0.5)).toBe(0);
  });

  it('estimates a single observation exactly', () => {
    const h = histogramOf(DEFAULT_LATENCY_BUCKETS, [3]);
    expect(estimateQuantile(h, 0.5)).toBe(3);
    expect(estimateQuantile(h, 0.99)).toBe(3);
  });

  it('interpolates linearly within the bucket holding the rank', () => {
    // 10 values in (0, 100]: ranks spread evenly between the observed min and max
    const h = histogramOf([100, 200], [10, 20, 30, 40, 50, 60, 70, 80, 90, 100]);
    expect(estimateQuantile(h, 0.5)).toBeCloseTo(55, 5);
  });

  it('gives the +Inf bucket the observed maximum as its top', () => {
    const h = histogramOf([1], [0.5, 5000, 9000]);
    const p99 = estimateQuantile(h, 0.99);
    expect(p99).toBeGreaterThan(1);
    expect(p99).toBeLessThanOrEqual(9000);
  });

  it('stays within the observed range', () => {
    const h = histogramOf(DEFAULT_LATENCY_BUCKETS, [26, 27, 28]);
    for (const q of [0.01, 0.5, 0.99]) {
      const estimate = estimateQuantile(h, q);
      expect(estimate).toBeGreaterThanOrEqual(26);
      expect(estimate).toBeLessThanOrEqual(28);
    }
  });

  it('rejects bucket lists that are empty, unordered or not finite', () => {
    expect(() => assertBuckets([1, 2, 3])).not.toThrow();
    for (const bad of [[], [2, 1], [1, 1], [1, Infinity], [NaN]]) {
      expect(() => assertBuckets(bad))
        .withContext(String(bad))
        .toThrowError(InvalidMetricValueError);
    }
  });
});
