import { describe, expect, it } from 'vitest';
import { FrameHeaderScanner } from '../../../../src/adapters/ws/FrameHeaderScanner.js';
import { clientFrame, Opcode } from '../../../support/RawWebSocket.js';

const MAX_FRAME = 32 * 1024;

/** Feeds `stream` to a fresh scanner in pieces of `size` bytes; answers the first violation and the scanner. */
function scanInPieces(stream: Buffer, size: number) {
  const scanner = new FrameHeaderScanner(MAX_FRAME);
  for (let offset = 0; offset < stream.length; offset += size) {
    const violation = scanner.scan(stream.subarray(offset, offset + size));
    if (violation !== undefined) return { violation, scanner };
  }
  return { violation: undefined, scanner };
}

describe('FrameHeaderScanner', () => {
  describe('scan', () => {
    const messages = Buffer.concat([
      clientFrame(Opcode.text, 'hello'),
      clientFrame(Opcode.text, 'x'.repeat(300)),
      clientFrame(Opcode.text, 'y'.repeat(70_000).slice(0, MAX_FRAME)),
      clientFrame(Opcode.text, 'first ', false),
      clientFrame(Opcode.ping, 'between fragments'),
      clientFrame(Opcode.continuation, 'last'),
      clientFrame(Opcode.close, Buffer.from([0x03, 0xe8])),
    ]);

    it.each([1, 2, 3, 7, 14, 1000, messages.length])(
      'follows frames whatever the chunking (%i-byte chunks)',
      (size) => {
        const { violation, scanner } = scanInPieces(messages, size);
        expect(violation).toBeUndefined();
        expect(scanner.completedMessages).toBe(4);
        expect(scanner.atMessageBoundary).toBe(true);
      },
    );

    it('refuses a binary frame at its header, before its payload arrives', () => {
      const header = clientFrame(Opcode.binary, Buffer.alloc(1000)).subarray(0, 4);
      expect(new FrameHeaderScanner(MAX_FRAME).scan(header)).toBe('binary');
    });

    it.each([
      ['16-bit', MAX_FRAME + 1],
      ['64-bit', 70_000],
    ])('refuses a frame over the limit at its header (%s length)', (_label, length) => {
      const header = clientFrame(Opcode.text, Buffer.alloc(length)).subarray(0, 14);
      expect(new FrameHeaderScanner(MAX_FRAME).scan(header)).toBe('frameTooBig');
    });

    it('refuses a continuation frame over the limit', () => {
      const stream = Buffer.concat([
        clientFrame(Opcode.text, 'a', false),
        clientFrame(Opcode.continuation, Buffer.alloc(MAX_FRAME + 1)),
      ]);
      expect(scanInPieces(stream, 5).violation).toBe('frameTooBig');
    });

    it('refuses a declared length past 2^53 without losing the count', () => {
      const header = Buffer.from([0x81, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]);
      expect(new FrameHeaderScanner(MAX_FRAME).scan(header)).toBe('frameTooBig');
    });

    it('accepts a frame of exactly the limit', () => {
      expect(scanInPieces(clientFrame(Opcode.text, Buffer.alloc(MAX_FRAME)), 4096).violation).toBeUndefined();
    });

    it('counts the messages completed before a violation in the same chunk', () => {
      const stream = Buffer.concat([
        clientFrame(Opcode.text, 'a'),
        clientFrame(Opcode.text, 'b'),
        clientFrame(Opcode.binary, 'c'),
        clientFrame(Opcode.text, 'd'),
      ]);
      const scanner = new FrameHeaderScanner(MAX_FRAME);
      expect(scanner.scan(stream)).toBe('binary');
      expect(scanner.completedMessages).toBe(2);
    });
  });

  describe('atMessageBoundary', () => {
    it('is false inside a frame, between the fragments of a message, and true after its last one', () => {
      const scanner = new FrameHeaderScanner(MAX_FRAME);
      const frame = clientFrame(Opcode.text, 'hello', false);
      scanner.scan(frame.subarray(0, 3));
      expect(scanner.atMessageBoundary).toBe(false);
      scanner.scan(frame.subarray(3));
      expect(scanner.atMessageBoundary).toBe(false);
      scanner.scan(clientFrame(Opcode.ping));
      expect(scanner.atMessageBoundary).toBe(false);
      scanner.scan(clientFrame(Opcode.continuation, ' world'));
      expect(scanner.atMessageBoundary).toBe(true);
    });

    it('is false inside a control frame too', () => {
      const scanner = new FrameHeaderScanner(MAX_FRAME);
      scanner.scan(clientFrame(Opcode.ping, 'abc').subarray(0, 1));
      expect(scanner.atMessageBoundary).toBe(false);
    });
  });
});
