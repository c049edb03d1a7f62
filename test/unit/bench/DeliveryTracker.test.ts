import { describe, expect, it } from 'vitest';
import { DeliveryTracker } from '../../../bench/DeliveryTracker.js';

describe('DeliveryTracker', () => {
  describe('record', () => {
    it('is complete once every receiver has every message of every sender', () => {
      const tracker = new DeliveryTracker(2, 2, 2);
      for (const receiver of [0, 1]) {
        for (const sender of [0, 1]) for (const seq of [0, 1]) tracker.record(receiver, sender, seq, 10);
      }
      expect(tracker.complete).toBe(true);
      expect(tracker.report()).toMatchObject({ expected: 8, delivered: 8, lost: 0, duplicated: 0, outOfOrder: 0 });
    });

    it("with rooms, expects each sender's messages at its room's members only", () => {
      // Rooms of 2: clients 0 and 1 hear sender 0, clients 2 and 3 hear sender 1; client 4 is in no busy room.
      const tracker = new DeliveryTracker(5, 2, 2, 2);
      for (const [receiver, sender] of [
        [0, 0],
        [1, 0],
        [2, 1],
        [3, 1],
      ] as const) {
        for (const seq of [0, 1]) expect(tracker.record(receiver, sender, seq, 10)).toBe(true);
      }
      expect(tracker.complete).toBe(true);
      expect(tracker.record(0, 1, 0, 10)).toBe(false);
      expect(tracker.record(4, 1, 0, 10)).toBe(false);
      expect(tracker.report()).toMatchObject({ expected: 8, delivered: 8, lost: 0, foreign: 2 });
    });

    it('counts a repeated message as duplicated, not delivered', () => {
      const tracker = new DeliveryTracker(1, 1, 3);
      tracker.record(0, 0, 0, 1);
      expect(tracker.record(0, 0, 0, 1)).toBe(false);
      expect(tracker.report()).toMatchObject({ delivered: 1, duplicated: 1, lost: 2 });
    });

    it('counts a message arriving after a later one of its sender as out of order', () => {
      const tracker = new DeliveryTracker(1, 2, 3);
      tracker.record(0, 0, 0, 1);
      tracker.record(0, 1, 2, 1);
      tracker.record(0, 0, 2, 1);
      tracker.record(0, 0, 1, 1);
      tracker.record(0, 1, 1, 1);
      expect(tracker.report()).toMatchObject({ delivered: 5, outOfOrder: 2, duplicated: 0, lost: 1 });
    });

    it('keeps order per receiver: the same sequence at two receivers is not a duplicate', () => {
      const tracker = new DeliveryTracker(2, 1, 1);
      tracker.record(0, 0, 0, 1);
      tracker.record(1, 0, 0, 1);
      expect(tracker.report()).toMatchObject({ delivered: 2, duplicated: 0 });
    });

    it('counts a sender or sequence outside the round as foreign', () => {
      const tracker = new DeliveryTracker(1, 1, 1);
      expect(tracker.record(0, 5, 0, 1)).toBe(false);
      tracker.recordForeign();
      expect(tracker.report()).toMatchObject({ delivered: 0, foreign: 2, lost: 1 });
    });
  });

  describe('report', () => {
    it('summarizes latency in milliseconds', () => {
      const tracker = new DeliveryTracker(1, 1, 4);
      [4000, 1000, 3000, 2000].forEach((micros, seq) => {
        tracker.record(0, 0, seq, micros);
      });
      expect(tracker.report().latency).toMatchObject({ count: 4, p50: 2, max: 4, mean: 2.5 });
    });
  });
});
