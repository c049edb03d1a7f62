import { describe, expect, it } from 'vitest';
import { HeldFrames } from '../../../../src/adapters/redis/HeldFrames.js';
import { PeersUnreachableError } from '../../../../src/domain/index.js';

describe('HeldFrames', () => {
  describe('hold', () => {
    it('refuses a frame past the count or the byte bound, and takes more once released', () => {
      const held = new HeldFrames<string>(2, 10);
      const first = held.hold('a', 4);
      held.hold('b', 4);
      expect(() => held.hold('c', 1)).toThrow(PeersUnreachableError);
      held.release(first);
      expect(() => held.hold('d', 7)).toThrow(PeersUnreachableError);
      expect(held.hold('e', 2).payload).toBe('e');
      expect(held.size).toBe(2);
    });
  });

  describe('unsendAll', () => {
    it('marks every frame in flight to be sent again, oldest first', () => {
      const held = new HeldFrames<string>(10, 100);
      const [a, b] = [held.hold('a', 1), held.hold('b', 1)];
      a.sent = true;
      held.hold('c', 1);
      expect(held.unsent().map((frame) => frame.payload)).toEqual(['b', 'c']);
      held.unsendAll();
      expect(held.unsent().map((frame) => frame.payload)).toEqual(['a', 'b', 'c']);
      expect(a.attempt).toBe(1);
      expect(b.attempt).toBe(1);
    });
  });
});
