import { describe, expect, it } from 'vitest';
import {
  formatMessageId,
  guestName,
  InvalidFormatError,
  InvalidNameError,
  InvalidRoomNameError,
  parseConnectOptions,
  parseDisplayName,
  parseMessageId,
  parseRoomName,
  toConnectionId,
} from '../../../src/domain/index.js';

describe('parseRoomName', () => {
  it('accepts 1 to 64 of letters, digits, dot, dash and underscore', () => {
    for (const room of ['a', 'Z9', 'r'.repeat(64), 'a.b-c_d', '__proto__', 'constructor']) {
      expect(parseRoomName(room)).toBe(room);
    }
  });

  it('refuses anything else', () => {
    for (const room of ['', 'r'.repeat(65), 'a b', 'é', 'a\nb', '*', null, 1, {}, ['a']]) {
      expect(parseRoomName(room)).toBeInstanceOf(InvalidRoomNameError);
    }
  });
});

describe('parseDisplayName', () => {
  it('trims, and counts characters rather than UTF-16 units', () => {
    expect(parseDisplayName('  alice ')).toBe('alice');
    expect(parseDisplayName('🦊'.repeat(32))).toBe('🦊'.repeat(32));
    expect(parseDisplayName('🦊'.repeat(33))).toBeInstanceOf(InvalidNameError);
  });

  it('refuses controls, separators, bidi controls, lone surrogates and unassigned code points', () => {
    for (const name of [
      'a\u0000',
      'a\u001f',
      'a\u007f',
      'a\u0085',
      'a\u2028',
      'a\u202a',
      'a\u2069',
      'a\u200f',
      'a\ud800',
      'a\u0378',
    ]) {
      expect(parseDisplayName(name), JSON.stringify(name)).toBeInstanceOf(InvalidNameError);
    }
  });

  it('allows a zero-width joiner inside an emoji sequence', () => {
    expect(parseDisplayName('👩‍💻 dev')).toBe('👩‍💻 dev');
  });
});

describe('parseConnectOptions', () => {
  it('defaults to the original text format and no name', () => {
    expect(parseConnectOptions({})).toEqual({ format: 'text', name: undefined });
  });

  it('reads format and name, and refuses what it cannot honour', () => {
    expect(parseConnectOptions({ format: 'json', name: 'bob' })).toEqual({ format: 'json', name: 'bob' });
    expect(parseConnectOptions({ format: 'xml' })).toBeInstanceOf(InvalidFormatError);
    expect(parseConnectOptions({ name: '\u202eevil' })).toBeInstanceOf(InvalidNameError);
  });
});

describe('guestName', () => {
  it('is stable for an id and differs between ids', () => {
    const [a, b] = [toConnectionId('Aa1Bb2Cc3Dd4Ee5='), toConnectionId('Ff6Gg7Hh8Ii9Jj0=')];
    expect(guestName(a)).toMatch(/^guest-[0-9a-f]{4}$/);
    expect(guestName(a)).toBe(guestName(a));
    expect(guestName(a)).not.toBe(guestName(b));
  });
});

describe('message ids', () => {
  it('sort as strings in numeric order, and read back', () => {
    const ids = [1, 9, 10, 1764590000000001].map(formatMessageId);
    expect([...ids].sort()).toEqual(ids);
    expect(ids.map(parseMessageId)).toEqual([1, 9, 10, 1764590000000001]);
  });

  it('refuse what is not one', () => {
    for (const after of ['', '12', 'abcdefghijklmnop', '9999999999999999', 12, null, '-000000000000001']) {
      expect(parseMessageId(after), String(after)).toBeUndefined();
    }
  });
});
