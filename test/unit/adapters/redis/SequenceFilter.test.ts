import { describe, expect, it } from 'vitest';
import { MAX_LATE_NUMBERS, SequenceFilter } from '../../../../src/adapters/redis/SequenceFilter.js';

describe('SequenceFilter', () => {
  describe('accept', () => {
    it('accepts a rising sequence and drops a repeat of any number seen', () => {
      const filter = new SequenceFilter();
      expect(filter.accept('a', 1)).toEqual({ duplicate: false, missing: 0 });
      expect(filter.accept('a', 2)).toEqual({ duplicate: false, missing: 0 });
      expect(filter.accept('a', 2).duplicate).toBe(true);
      expect(filter.accept('a', 1).duplicate).toBe(true);
    });

    it('keeps each sender apart and counts the numbers skipped', () => {
      const filter = new SequenceFilter();
      filter.accept('a', 5);
      expect(filter.accept('b', 1)).toEqual({ duplicate: false, missing: 0 });
      expect(filter.accept('a', 9)).toEqual({ duplicate: false, missing: 3 });
    });

    it('accepts, once each, numbers that arrive after higher ones (held by a failing shard, sent again late)', () => {
      const filter = new SequenceFilter();
      filter.accept('a', 1);
      filter.accept('a', 5);
      expect([3, 2, 4].map((n) => filter.accept('a', n).duplicate)).toEqual([false, false, false]);
      expect([2, 3, 4, 5, 1].map((n) => filter.accept('a', n).duplicate)).toEqual([true, true, true, true, true]);
    });

    it('remembers at most MAX_LATE_NUMBERS skipped numbers per sender, forgetting the oldest', () => {
      const filter = new SequenceFilter();
      filter.accept('a', 1);
      filter.accept('a', MAX_LATE_NUMBERS + 2);
      filter.accept('a', MAX_LATE_NUMBERS + 10);
      // 2..MAX+1 and MAX+3..MAX+9 were skipped: the oldest 7 are forgotten.
      expect(filter.accept('a', 2).duplicate).toBe(true);
      expect(filter.accept('a', 8).duplicate).toBe(true);
      expect(filter.accept('a', 9).duplicate).toBe(false);
      expect(filter.accept('a', MAX_LATE_NUMBERS + 9).duplicate).toBe(false);
    });

    it('bounds the memory a huge jump costs', () => {
      const filter = new SequenceFilter();
      filter.accept('a', 1);
      expect(filter.accept('a', 1e12)).toEqual({ duplicate: false, missing: 1e12 - 2 });
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
      expect([filter.seen('a', 1), filter.seen('a', 2), filter.seen('a', 3), filter.seen('a', 4)]).toEqual([
        true,
        false,
        true,
        false,
      ]);
      expect(filter.accept('a', 2).duplicate).toBe(false);
    });
  });
});
