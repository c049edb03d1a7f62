import { describe, expect, it } from 'vitest';
import { decodeEnvelope, encodeDraft, encodePresence } from '../../../../src/adapters/redis/roomEnvelope.js';
import type { MessageDraft, PresenceChange, RoomName } from '../../../../src/domain/index.js';
import { newId } from '../../../support/fakes.js';

const draft: MessageDraft = { room: 'r' as RoomName, from: { name: 'a', user: 'u' }, ts: 5, data: 'line\nbreak ✓' };

describe('roomEnvelope', () => {
  describe('decodeEnvelope', () => {
    it('reads a message as the append script publishes it, body verbatim', () => {
      const payload = `m\n1764590000000042\n1764590000000000\nnode-a\n7\n${encodeDraft(draft)}`;
      expect(decodeEnvelope(payload)).toEqual({
        kind: 'message',
        sequence: 1764590000000042,
        epoch: '1764590000000000',
        origin: 'node-a',
        originSequence: 7,
        draft,
      });
    });

    it('reads back a presence change', () => {
      const change: PresenceChange = { room: 'r' as RoomName, event: 'join', member: { name: 'b' }, subject: newId() };
      expect(decodeEnvelope(encodePresence('node-b', 3, change))).toEqual({
        kind: 'presence',
        origin: 'node-b',
        originSequence: 3,
        change,
      });
    });

    it.each(['', 'x\n1', 'm\n1\n2\n', 'm\n1\n2\nn\n3\nnot json', 'p\nn\n1\n"a string"', 'p\nonly'])(
      'ignores %j',
      (payload) => {
        expect(decodeEnvelope(payload)).toBeUndefined();
      },
    );
  });
});
