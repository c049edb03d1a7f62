import { describe, expect, it } from 'vitest';
import { InvalidSettingError, integerSetting, stringSetting } from '../../../src/entrypoints/env.js';
import { readServerConfig } from '../../../src/entrypoints/server/config.js';

describe('integerSetting', () => {
  it('falls back when unset or blank', () => {
    expect(integerSetting({}, 'PORT', 8080)).toBe(8080);
    expect(integerSetting({ PORT: ' ' }, 'PORT', 8080)).toBe(8080);
  });

  it('reads an integer in range', () => {
    expect(integerSetting({ PORT: '9000' }, 'PORT', 8080, 0, 65535)).toBe(9000);
  });

  it.each(['abc', '1.5', '-1', '70000', '1e3x'])('rejects %s with an error naming the setting', (raw) => {
    expect(() => integerSetting({ PORT: raw }, 'PORT', 8080, 0, 65535)).toThrow(InvalidSettingError);
    expect(() => integerSetting({ PORT: raw }, 'PORT', 8080, 0, 65535)).toThrow(/PORT=/);
  });
});

describe('integerSetting without an explicit maximum', () => {
  it('refuses a value past what a Node timer can wait, rather than firing after 1 ms', () => {
    expect(integerSetting({ IDLE_TIMEOUT_MS: String(2 ** 31 - 1) }, 'IDLE_TIMEOUT_MS', 1)).toBe(2 ** 31 - 1);
    expect(() => integerSetting({ IDLE_TIMEOUT_MS: '3000000000' }, 'IDLE_TIMEOUT_MS', 1)).toThrow(InvalidSettingError);
  });
});

describe('stringSetting', () => {
  it('reads a value or falls back when unset or blank', () => {
    expect(stringSetting({ HOST: '127.0.0.1' }, 'HOST', '0.0.0.0')).toBe('127.0.0.1');
    expect(stringSetting({ HOST: '' }, 'HOST', '0.0.0.0')).toBe('0.0.0.0');
  });
});

describe('readServerConfig', () => {
  it('defaults to API Gateway limits on 0.0.0.0:8080 with the in-memory default', () => {
    const config = readServerConfig({});
    expect(config).toMatchObject({
      host: '0.0.0.0',
      port: 8080,
      maxMessageBytes: 128 * 1024,
      idleTimeoutMs: 10 * 60_000,
      maxConnectionAgeMs: 2 * 60 * 60_000,
      redis: undefined,
    });
  });

  it('takes the limits from the environment', () => {
    const config = readServerConfig({ IDLE_TIMEOUT_MS: '1000', MAX_CONNECTION_AGE_MS: '5000', PORT: '0' });
    expect(config).toMatchObject({ idleTimeoutMs: 1000, maxConnectionAgeMs: 5000, port: 0 });
  });

  it('rejects an unusable setting', () => {
    expect(() => readServerConfig({ IDLE_TIMEOUT_MS: 'soon' })).toThrow(InvalidSettingError);
  });
});
