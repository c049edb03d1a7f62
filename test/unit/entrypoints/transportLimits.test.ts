import { describe, expect, it } from 'vitest';
import { InvalidSettingError } from '../../../src/entrypoints/env.js';
import { readTransportLimits } from '../../../src/entrypoints/transportLimits.js';

describe('readTransportLimits', () => {
  it("defaults to API Gateway's quotas", () => {
    expect(readTransportLimits({})).toEqual({
      maxFrameBytes: 32 * 1024,
      maxMessageBytes: 128 * 1024,
      maxFramesPerMessage: 128,
      incompleteMessageTimeoutMs: 10_000,
      maxBufferedBytes: 4 * 1024 * 1024,
      idleTimeoutMs: 600_000,
      maxConnectionAgeMs: 7_200_000,
      shutdownGraceMs: 5000,
    });
  });

  it('reads each limit from its variable', () => {
    const limits = readTransportLimits({
      MAX_FRAME_BYTES: '1024',
      MAX_MESSAGE_BYTES: '4096',
      MAX_FRAMES_PER_MESSAGE: '8',
      INCOMPLETE_MESSAGE_TIMEOUT_MS: '250',
      MAX_BUFFERED_BYTES: '65536',
    });
    expect(limits).toMatchObject({
      maxFrameBytes: 1024,
      maxMessageBytes: 4096,
      maxFramesPerMessage: 8,
      incompleteMessageTimeoutMs: 250,
      maxBufferedBytes: 65536,
    });
  });

  it.each(['MAX_FRAME_BYTES', 'MAX_FRAMES_PER_MESSAGE', 'INCOMPLETE_MESSAGE_TIMEOUT_MS'])('refuses %s=0', (name) => {
    expect(() => readTransportLimits({ [name]: '0' })).toThrow(InvalidSettingError);
  });
});
