import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  RedisKeys,
  RedisNodeHeartbeat,
  RedisPresence,
  registrationTtlMs,
} from '../../../src/adapters/redis/index.js';
import { type Member, type RoomName, toConnectionId } from '../../../src/domain/index.js';
import { eventually } from '../../support/ChatClient.js';
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

function node(keys: RedisKeys, intervalMs = 200) {
  const nodeId = randomUUID();
  const rooms: RoomName[] = [];
  const presence = new RedisPresence({ redis, keys, nodeId, ttlMs: registrationTtlMs(intervalMs) });
  const ownKeys = () => rooms.map((room) => presence.roomKey(room));
  return { nodeId, rooms, presence, heartbeat: new RedisNodeHeartbeat({ redis, keys, nodeId, intervalMs, ownKeys }) };
}

const listed = async (presence: RedisPresence) => (await presence.connections()).sort();
const member = (id: string): Member => ({ id: toConnectionId(id), format: 'text', name: id });

describe('RedisNodeHeartbeat', () => {
  describe('beatOnce', () => {
    it('reports a lost registration on the first beat and after its keys vanished, not otherwise', async () => {
      const keys = new RedisKeys(uniquePrefix('heartbeat'));
      const { heartbeat } = node(keys);
      expect((await heartbeat.beatOnce()).lostRegistration).toBe(true);
      expect((await heartbeat.beatOnce()).lostRegistration).toBe(false);
      await deleteKeysUnder(redis, keys.prefix);
      expect((await heartbeat.beatOnce()).lostRegistration).toBe(true);
      await deleteKeysUnder(redis, keys.prefix);
    });

    it('counts the live nodes and gives every key it writes an expiry', async () => {
      const keys = new RedisKeys(uniquePrefix('heartbeat'));
      const [a, b] = [node(keys), node(keys)];
      await a.presence.add(member('on-a'));
      await a.presence.joinRoom(member('on-a'), 'r' as RoomName);
      a.rooms.push('r' as RoomName);
      await a.heartbeat.beatOnce();
      expect((await b.heartbeat.beatOnce()).liveNodes).toBe(2);
      for (const key of await keysUnder(redis, keys.prefix)) {
        const ttl = await redis.pttl(key);
        expect(ttl, key).toBeGreaterThan(0);
        expect(ttl, key).toBeLessThanOrEqual(registrationTtlMs(200));
      }
      await deleteKeysUnder(redis, keys.prefix);
    });
  });

  describe('start', () => {
    it('forgets a node that stopped beating within twice the interval, and nothing of the living', async () => {
      const keys = new RedisKeys(uniquePrefix('heartbeat'));
      const survivor = node(keys);
      const dying = node(keys);
      await Promise.all([survivor.heartbeat.start(), dying.heartbeat.start()]);
      await survivor.presence.add(member('kept'));
      for (const id of ['lost-1', 'lost-2']) await dying.presence.add(member(id));
      await dying.presence.joinRoom(member('lost-1'), 'r' as RoomName);
      dying.rooms.push('r' as RoomName);
      expect(await listed(survivor.presence)).toEqual(['kept', 'lost-1', 'lost-2']);
      await dying.heartbeat.stop();
      const stoppedAt = Date.now();
      await eventually(async () => (await redis.zscore(keys.nodes, dying.nodeId)) === null, 2000, 5);
      const elapsed = Date.now() - stoppedAt;

      expect(elapsed).toBeLessThanOrEqual(400);
      expect(await listed(survivor.presence)).toEqual(['kept']);
      expect((await keysUnder(redis, keys.prefix)).filter((key) => key.includes(dying.nodeId))).toEqual([]);
      await survivor.heartbeat.stop();
      expect(await survivor.presence.clear([])).toBe(1);
      expect(await keysUnder(redis, keys.prefix)).toEqual([]);
    });

    it('leaves no key behind once every node has stopped beating, even with nobody to clean up', async () => {
      const keys = new RedisKeys(uniquePrefix('heartbeat'));
      const [a, b] = [node(keys, 100), node(keys, 100)];
      await Promise.all([a.heartbeat.start(), b.heartbeat.start()]);
      await a.presence.add(member('a-1'));
      await b.presence.add(member('b-1'));
      await Promise.all([a.heartbeat.stop(), b.heartbeat.stop()]);
      await eventually(async () => (await keysUnder(redis, keys.prefix)).length === 0, 2000, 10);
      expect(await keysUnder(redis, keys.prefix)).toEqual([]);
    });
  });
});
