import { describe, expect, it } from 'vitest';
import { SequenceFilter } from '../../../../src/adapters/redis/SequenceFilter.js';

describe('SequenceFilter', () => {
  describe('accept', () => {
    it('accepts a rising sequence and drops a repeat of any number seen', () => {
      const filter = new SequenceFilter();
      expect(filter.accept('a', 1).duplicate).toBe(false);
      expect(filter.accept('a', 2).duplicate).toBe(false);
      expect(filter.accept('a', 2).duplicate).toBe(true);
      expect(filter.accept('a', 1).duplicate).toBe(true);
    });

    it('keeps each sender apart', () => {
      const filter = new SequenceFilter();
      filter.accept('a', 5);
      expect(filter.accept('b', 5).duplicate).toBe(false);
      expect(filter.accept('b', 5).duplicate).toBe(true);
      expect(filter.accept('a', 9).duplicate).toBe(false);
    });

    it('accepts, once each, numbers that arrive after higher ones (held by a failing shard, sent again late)', () => {
      const filter = new SequenceFilter();
      filter.accept('a', 1);
      filter.accept('a', 5);
      expect([3, 2, 4].map((n) => filter.accept('a', n).duplicate)).toEqual([false, false, false]);
      expect([2, 3, 4, 5, 1].map((n) => filter.accept('a', n).duplicate)).toEqual([true, true, true, true, true]);
    });

    it('treats a number further below the highest than the window as a repeat', () => {
      const filter = new SequenceFilter(100);
      filter.accept('a', 1);
      filter.accept('a', 500);
      expect(filter.accept('a', 400).duplicate).toBe(true);
      expect(filter.accept('a', 401).duplicate).toBe(false);
      expect(filter.accept('a', 401).duplicate).toBe(true);
    });

    it('holds at most the window of numbers per sender, however the numbers come', () => {
      const window = 1000;
      const filter = new SequenceFilter(window);
      // Gaps cost nothing: a stream that skips most numbers (a node busy in other rooms).
      for (let n = 1; n <= 1_000_000; n += 97) filter.accept('a', n);
      // Late numbers out of order, all within the window, each seen once.
      for (let n = 1_000_000 - 2; n > 1_000_000 - window; n -= 3) filter.accept('a', n);
      const seen = (filter as unknown as { senders: Map<string, { seen: Set<number> }> }).senders.get('a')?.seen;
      expect(seen?.size).toBeLessThanOrEqual(window);
      expect(seen?.size).toBeGreaterThan(window / 4);
    });

    it('costs nothing more for a huge jump', () => {
      const filter = new SequenceFilter();
      filter.accept('a', 1);
      expect(filter.accept('a', 1e12).duplicate).toBe(false);
      expect(filter.accept('a', 1e12 - 1).duplicate).toBe(false);
      expect(filter.accept('a', 2).duplicate).toBe(true);
    });
  });

  describe('seen', () => {
    it('tells what was accepted without accepting anything', () => {
      const filter = new SequenceFilter();
      expect(filter.seen('a', 1)).toBe(false);
      filter.accept('a', 1);
      filter.accept('a', 3);
      expect([1, 2, 3, 4].map((n) => filter.seen('a', n))).toEqual([true, false, true, false]);
      expect(filter.accept('a', 2).duplicate).toBe(false);
    });
  });
});
