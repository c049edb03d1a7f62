import { describe, expect, it } from 'vitest';
import { decodePayload, encodePayload, sendMessageFrame } from '../../../bench/payload.js';

describe('payload', () => {
  describe('encodePayload', () => {
    it('pads the data to the requested size', () => {
      const data = encodePayload({ sender: 3, seq: 17, sentMicros: 123456 }, 64);
      expect(data).toHaveLength(64);
      expect(data.startsWith('3:17:123456:x')).toBe(true);
    });

    it('keeps the fields whole when the size is smaller than they are', () => {
      expect(encodePayload({ sender: 12, seq: 3456, sentMicros: 7890123 }, 4)).toBe('12:3456:7890123:');
    });

    it('needs no JSON escaping inside the client frame', () => {
      const data = encodePayload({ sender: 1, seq: 2, sentMicros: 3 }, 32);
      expect(JSON.parse(sendMessageFrame(data))).toEqual({ action: 'sendMessage', data });
      expect(JSON.parse(sendMessageFrame(data, 'r7'))).toEqual({ action: 'sendMessage', room: 'r7', data });
    });
  });

  describe('decodePayload', () => {
    it('reads back what was encoded, from the bytes', () => {
      const fields = { sender: 9, seq: 99999, sentMicros: 4_000_000_000 };
      expect(decodePayload(Buffer.from(encodePayload(fields, 100)))).toEqual(fields);
    });

    it('reads the fields from the data of a json message event', () => {
      const fields = { sender: 4, seq: 12, sentMicros: 98765 };
      const event = JSON.stringify({
        type: 'message',
        id: '1796140615658001',
        room: 'r4',
        from: { name: 'c40' },
        ts: 1796140616455,
        data: encodePayload(fields, 40),
      });
      expect(decodePayload(Buffer.from(event))).toEqual(fields);
      expect(decodePayload(Buffer.from('{"type":"joined","room":"r4"}'))).toBeUndefined();
    });

    it('refuses a frame that is not a payload', () => {
      expect(decodePayload(Buffer.from('Error: Invalid action type'))).toBeUndefined();
      expect(decodePayload(Buffer.from('1:2'))).toBeUndefined();
      expect(decodePayload(Buffer.from('1::3:'))).toBeUndefined();
    });
  });
});
