import { describe, expect, it } from 'vitest';
import { readServerConfig } from '../../../../src/entrypoints/server/config.js';

describe('readServerConfig', () => {
  describe('cluster settings', () => {
    it('default to the chat: prefix, a 5 s heartbeat and a bounded hold', () => {
      expect(readServerConfig({}).cluster).toEqual({
        keyPrefix: 'chat:',
        heartbeatIntervalMs: 5000,
        maxHeldFrames: 1000,
        maxHeldBytes: 16 * 1024 * 1024,
      });
    });

    it('read REDIS_KEY_PREFIX, REDIS_HEARTBEAT_MS, REDIS_MAX_HELD_FRAMES and REDIS_MAX_HELD_BYTES', () => {
      const { cluster, redis } = readServerConfig({
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: 'team-a:',
        REDIS_HEARTBEAT_MS: '1000',
        REDIS_MAX_HELD_FRAMES: '10',
        REDIS_MAX_HELD_BYTES: '4096',
      });
      expect(redis).toEqual({ kind: 'single', url: 'redis://127.0.0.1:6379' });
      expect(cluster).toEqual({
        keyPrefix: 'team-a:',
        heartbeatIntervalMs: 1000,
        maxHeldFrames: 10,
        maxHeldBytes: 4096,
      });
    });

    it('reject a heartbeat too short to be safe', () => {
      expect(() => readServerConfig({ REDIS_HEARTBEAT_MS: '5' })).toThrow(/REDIS_HEARTBEAT_MS=/);
    });
  });
});
