import { describe, expect, it } from 'vitest';
import { percentile, summarizeLatency } from '../../../bench/percentiles.js';

describe('percentile', () => {
  const hundred = Float64Array.from({ length: 100 }, (_, i) => i + 1);

  it('is the nearest rank', () => {
    expect(percentile(hundred, 50)).toBe(50);
    expect(percentile(hundred, 90)).toBe(90);
    expect(percentile(hundred, 99)).toBe(99);
    expect(percentile(hundred, 99.5)).toBe(100);
    expect(percentile(hundred, 100)).toBe(100);
    expect(percentile(hundred, 0)).toBe(1);
  });

  it('is the only value of a single sample', () => {
    expect(percentile([7], 99)).toBe(7);
  });

  it('is NaN without samples', () => {
    expect(percentile([], 50)).toBeNaN();
  });
});

describe('summarizeLatency', () => {
  it('sorts microseconds and reports milliseconds', () => {
    const summary = summarizeLatency(Uint32Array.from([3000, 1000, 2000]));
    expect(summary).toEqual({ count: 3, p50: 2, p90: 3, p99: 3, max: 3, mean: 2 });
  });
});
