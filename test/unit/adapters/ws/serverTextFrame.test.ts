import { describe, expect, it } from 'vitest';
import { serverTextFrame } from '../../../../src/adapters/ws/serverTextFrame.js';

/** Reads one frame as RFC 6455 section 5.2 lays it out. */
function readFrame(frame: Buffer) {
  const first = frame[0] as number;
  const second = frame[1] as number;
  let length = second & 0x7f;
  let offset = 2;
  if (length === 126) {
    length = frame.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    length = Number(frame.readBigUInt64BE(2));
    offset = 10;
  }
  return {
    fin: (first & 0x80) !== 0,
    rsv: first & 0x70,
    opcode: first & 0x0f,
    masked: (second & 0x80) !== 0,
    minimalLength: offset === 2 ? length < 126 : offset === 4 ? length >= 126 && length < 0x10000 : length >= 0x10000,
    payload: frame.subarray(offset),
    length,
  };
}

describe('serverTextFrame', () => {
  it.each([0, 1, 125, 126, 127, 65535, 65536, 200_000])('frames a %i-byte payload whole', (size) => {
    const text = 'a'.repeat(size);
    const frame = readFrame(serverTextFrame(text));
    expect(frame).toMatchObject({ fin: true, rsv: 0, opcode: 1, masked: false, minimalLength: true, length: size });
    expect(frame.payload.toString('utf8')).toBe(text);
  });

  it('frames bytes given as a buffer as they are', () => {
    const bytes = Buffer.from('héllo ✓');
    const frame = readFrame(serverTextFrame(bytes));
    expect(frame).toMatchObject({ opcode: 1, length: bytes.length });
    expect(frame.payload).toEqual(bytes);
  });

  it('measures the payload in UTF-8 bytes, not characters', () => {
    const text = 'héllo wörld ✓ '.repeat(10);
    const frame = readFrame(serverTextFrame(text));
    expect(frame.length).toBe(Buffer.byteLength(text));
    expect(frame.payload.toString('utf8')).toBe(text);
  });
});
