import { describe, expect, it } from 'vitest';
import { TokenBucket } from '../../../../src/entrypoints/aws-local/TokenBucket.js';

describe('TokenBucket', () => {
  describe('take', () => {
    it('accepts the burst at once, then the rate, and counts what it throttled', () => {
      let now = 0;
      const bucket = new TokenBucket({ ratePerSecond: 10, burst: 5 }, () => now);
      const first = Array.from({ length: 8 }, () => bucket.take());
      expect(first).toEqual([true, true, true, true, true, false, false, false]);
      now += 100;
      expect([bucket.take(), bucket.take()]).toEqual([true, false]);
      now += 10_000;
      expect(Array.from({ length: 6 }, () => bucket.take()).filter(Boolean)).toHaveLength(5);
      expect(bucket.throttled).toBe(5);
    });

    it('never throttles with a rate of 0', () => {
      const bucket = new TokenBucket({ ratePerSecond: 0, burst: 1 }, () => 0);
      expect(Array.from({ length: 1000 }, () => bucket.take()).every(Boolean)).toBe(true);
    });
  });
});
