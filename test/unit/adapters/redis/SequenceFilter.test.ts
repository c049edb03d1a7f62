import { describe, expect, it } from 'vitest';
import { SequenceFilter } from '../../../../src/adapters/redis/SequenceFilter.js';

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
  });
});
