import { describe, expect, it } from 'vitest';
import { RoomSequencer } from '../../../../src/adapters/redis/RoomSequencer.js';

describe('RoomSequencer', () => {
  describe('arrive', () => {
    it('delivers the next sequence, drops a repeat, and asks to fill a jump', () => {
      const sequencer = new RoomSequencer();
      sequencer.follow('r');
      sequencer.start('r', '100', 105);
      expect(sequencer.arrive('r', '100', 106)).toEqual({ action: 'deliver' });
      sequencer.delivered('r', '100', 106);
      expect(sequencer.arrive('r', '100', 106)).toEqual({ action: 'drop' });
      expect(sequencer.arrive('r', '100', 104)).toEqual({ action: 'drop' });
      expect(sequencer.arrive('r', '100', 109)).toEqual({ action: 'fill', from: 107, to: 108 });
    });

    it('judges a new epoch from its start, and drops what arrives for a room it does not follow', () => {
      const sequencer = new RoomSequencer();
      sequencer.follow('r');
      sequencer.delivered('r', '100', 150);
      expect(sequencer.arrive('r', '900', 901)).toEqual({ action: 'deliver' });
      expect(sequencer.arrive('r', '900', 903)).toEqual({ action: 'fill', from: 901, to: 902 });
      expect(sequencer.arrive('other', '100', 101)).toEqual({ action: 'drop' });
    });

    it('lets what arrived before the starting point stand', () => {
      const sequencer = new RoomSequencer();
      sequencer.follow('r');
      sequencer.delivered('r', '100', 110);
      sequencer.start('r', '100', 105);
      expect(sequencer.position('r')).toEqual({ epoch: '100', last: 110 });
    });
  });

  describe('rewind', () => {
    it("goes back within the epoch, never forward; what is this node's starts where listening began", () => {
      const sequencer = new RoomSequencer();
      sequencer.follow('r');
      sequencer.start('r', '100', 104);
      sequencer.delivered('r', '100', 110);
      sequencer.rewind('r', '100', 107);
      expect(sequencer.arrive('r', '100', 108)).toEqual({ action: 'deliver' });
      sequencer.rewind('r', '100', 120);
      sequencer.rewind('r', '900', 101);
      expect(sequencer.position('r')).toEqual({ epoch: '100', last: 107 });
      expect(sequencer.firstOwn('r', '100')).toBe(105);
      expect(sequencer.firstOwn('r', '900')).toBe(901);
    });
  });
});
