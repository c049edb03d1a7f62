import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { RedisKeys } from '../../../src/adapters/redis/index.js';
import { ChatClient, eventually } from '../../support/ChatClient.js';
import {
  freePort,
  keysUnder,
  type RedisFixture,
  spawnRedisServer,
  startRedis,
  testClient,
  uniquePrefix,
} from '../../support/redis.js';
import type { ChatProcess } from '../../support/spawnChatProcess.js';
import { connectionCount, owners, registeredNodes, startNode } from './clusterNodes.js';

let fixture: RedisFixture;
let admin: ReturnType<typeof testClient>;
beforeAll(async () => {
  fixture = await startRedis();
  admin = testClient(fixture.url);
});
afterAll(async () => {
  admin?.disconnect();
  await fixture?.stop();
});

const nodes: ChatProcess[] = [];
const clients: ChatClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.vanish();
  await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
});

const connect = async (url: string, count: number) => {
  const made = await Promise.all(Array.from({ length: count }, () => ChatClient.connect(url)));
  clients.push(...made);
  return made;
};

describe('cluster node shutdown', () => {
  describe('on SIGTERM', () => {
    it("removes the node's connections from the presence, and the last node leaves only expiring history", async () => {
      const prefix = uniquePrefix('shutdown');
      const [a, b] = await Promise.all([startNode(fixture.url, prefix), startNode(fixture.url, prefix)]);
      nodes.push(a, b);
      const [a1, a2] = await connect(a.url, 2);
      const onB = await connect(b.url, 3);
      await eventually(async () => (await connectionCount(admin, prefix)) === 5);

      expect(await b.stop('SIGTERM')).toBe(0);
      for (const client of onB) expect((await client.closed).code).toBe(1001);
      const [survivor] = await registeredNodes(admin, prefix);
      expect(await owners(admin, prefix)).toEqual(new Map([[survivor, 2]]));
      const keys = new RedisKeys(prefix);
      expect(await keysUnder(admin, prefix)).toEqual(
        [keys.alive(survivor as string), keys.connections(survivor as string), keys.nodes].sort(),
      );
      a1!.sendMessage('still here');
      expect(await a2!.next()).toBe('still here');

      expect(await a.stop('SIGTERM')).toBe(0);
      // The room's history outlives the nodes, to expire with its retention; nothing else is left.
      const history = [keys.roomLog(null), keys.roomOrigins(null), keys.roomSequence(null)].sort();
      expect(await keysUnder(admin, prefix)).toEqual(history);
      for (const key of history) expect(await admin.pttl(key)).toBeGreaterThan(0);
    });

    it('exits 0 even when Redis is gone', async () => {
      const redis = await spawnRedisServer();
      try {
        const node = await startNode(redis.url, uniquePrefix('shutdown'));
        nodes.push(node);
        await connect(node.url, 2);
        await redis.kill();
        expect(await node.stop('SIGTERM')).toBe(0);
      } finally {
        await redis.kill();
      }
    });
  });

  describe('at startup', () => {
    it('fails clearly, with exit code 1, when Redis is unreachable', async () => {
      const url = `redis://127.0.0.1:${await freePort()}`;
      await expect(startNode(url, uniquePrefix('shutdown'))).rejects.toThrow(
        /exited with 1 before it was ready[\s\S]*REDIS_UNAVAILABLE[\s\S]*is unreachable/,
      );
    });
  });
});
