import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { closeRedis, connectRedis, RedisKeys, RedisPresence } from '../../../src/adapters/redis/index.js';
import { type Connection, type RoomName, toConnectionId } from '../../../src/domain/index.js';
import { deleteKeysUnder, keysUnder, type RedisFixture, startRedis, uniquePrefix } from '../../support/redis.js';

let fixture: RedisFixture;
let redis: Redis;
beforeAll(async () => {
  fixture = await startRedis();
  redis = await connectRedis(fixture.url, { role: 'commands' });
});
afterAll(async () => {
  if (redis !== undefined) await closeRedis(redis);
  await fixture?.stop();
});

const ttlMs = 5000;
const connection = (name: string, rooms: readonly RoomName[]): Connection => ({
  id: toConnectionId(randomUUID()),
  format: 'text',
  name,
  nameLocked: false,
  rooms,
});

/** Every key under `prefix` with its remaining time to live (-1: none, -2: gone). */
async function ttls(prefix: string): Promise<Record<string, number>> {
  const keys = await keysUnder(redis, prefix);
  return Object.fromEntries(await Promise.all(keys.map(async (key) => [key, await redis.pttl(key)] as const)));
}

describe('RedisPresence', () => {
  describe('rename', () => {
    it('gives the keys it writes an expiry, even when the hashes it renames in had vanished', async () => {
      const keys = new RedisKeys(uniquePrefix('presence'));
      const presence = new RedisPresence({ redis, keys, nodeId: randomUUID(), ttlMs });
      const rooms = ['lobby', 'dev'] as RoomName[];
      const before = connection('ann', rooms);
      await presence.add(before);
      for (const room of rooms) await presence.joinRoom(before, room);
      await deleteKeysUnder(redis, keys.prefix);

      await presence.rename({ ...before, name: 'anna' });

      const written = await ttls(keys.prefix);
      expect(Object.keys(written)).toHaveLength(1 + rooms.length);
      for (const [key, ttl] of Object.entries(written)) {
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(ttlMs);
      }
      await deleteKeysUnder(redis, keys.prefix);
    });

    it('renames a connection in its own list and in every room it is in', async () => {
      const keys = new RedisKeys(uniquePrefix('presence'));
      const nodeId = randomUUID();
      const presence = new RedisPresence({ redis, keys, nodeId, ttlMs });
      const lobby = 'lobby' as RoomName;
      const before = connection('ann', [lobby]);
      await presence.add(before);
      await presence.joinRoom(before, lobby);

      await presence.rename({ ...before, name: 'anna' });

      const own = await redis.hget(keys.connections(nodeId), before.id);
      expect(JSON.parse(own ?? 'null')).toEqual({ name: 'anna' });
      const inRoom = await redis.hget(presence.roomKey(lobby), before.id);
      expect(JSON.parse(inRoom ?? 'null')).toEqual({ name: 'anna' });
      await deleteKeysUnder(redis, keys.prefix);
    });
  });
});
