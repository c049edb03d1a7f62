import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  RedisConnectionRepository,
  RedisKeys,
  RedisNodeHeartbeat,
} from '../../../src/adapters/redis/index.js';
import { toConnectionId } from '../../../src/domain/index.js';
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
  return {
    nodeId,
    heartbeat: new RedisNodeHeartbeat({ redis, keys, nodeId, intervalMs }),
    directory: new RedisConnectionRepository({ redis, keys, nodeId }),
  };
}

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
  });

  describe('start', () => {
    it('purges a node that stopped beating within twice the interval, and nothing of the living', async () => {
      const keys = new RedisKeys(uniquePrefix('heartbeat'));
      const survivor = node(keys);
      const dying = node(keys);
      await Promise.all([survivor.heartbeat.start(), dying.heartbeat.start()]);
      await survivor.directory.add(toConnectionId('kept'));
      for (const id of ['lost-1', 'lost-2']) await dying.directory.add(toConnectionId(id));
      await dying.heartbeat.stop();
      const stoppedAt = Date.now();
      await eventually(async () => !(await redis.sismember(keys.nodes, dying.nodeId)), 2000, 5);
      const elapsed = Date.now() - stoppedAt;
      await survivor.heartbeat.stop();

      expect(elapsed).toBeLessThanOrEqual(400);
      expect(await redis.hgetall(keys.directory)).toEqual({ kept: survivor.nodeId });
      expect((await keysUnder(redis, keys.prefix)).filter((key) => key.includes(dying.nodeId))).toEqual([]);
      expect(await survivor.directory.purgeNode()).toBe(1);
      expect(await keysUnder(redis, keys.prefix)).toEqual([]);
    });
  });
});
