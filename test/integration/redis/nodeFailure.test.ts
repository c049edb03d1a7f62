import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, eventually } from '../../support/ChatClient.js';
import { keysUnder, type RedisFixture, startRedis, testClient, uniquePrefix } from '../../support/redis.js';
import type { ChatProcess } from '../../support/spawnChatProcess.js';
import { connectionCount, owners, registeredNodes, startNode } from './clusterNodes.js';

const HEARTBEAT_MS = 400;
const settings = { REDIS_HEARTBEAT_MS: String(HEARTBEAT_MS) };

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

/** Polls until `condition` holds; resolves with the milliseconds since `from`. */
async function timeUntil(condition: () => Promise<boolean>, from: number, timeoutMs = 10_000): Promise<number> {
  await eventually(condition, timeoutMs, 5);
  return Date.now() - from;
}

describe('cluster node liveness', () => {
  describe('a node killed with SIGKILL', () => {
    it('is purged by the survivor within twice the heartbeat interval, and chat goes on', async () => {
      const prefix = uniquePrefix('fault');
      const [a, b] = await Promise.all([
        startNode(fixture.url, prefix, settings),
        startNode(fixture.url, prefix, settings),
      ]);
      nodes.push(a, b);
      const [a1, a2] = await connect(a.url, 2);
      const [b1, b2, b3] = await connect(b.url, 3);
      await eventually(async () => (await connectionCount(admin, prefix)) === 5);
      const before = await owners(admin, prefix);
      b1!.sendMessage('before the crash');
      for (const client of [a1!, a2!, b1!, b2!, b3!]) expect(await client.next()).toBe('before the crash');

      const killedAt = Date.now();
      b.child.kill('SIGKILL');
      const elapsed = await timeUntil(async () => (await registeredNodes(admin, prefix)).length === 1, killedAt);
      const [survivor] = await registeredNodes(admin, prefix);
      const dead = [...before.keys()].find((id) => id !== survivor) as string;
      console.log(`dead node purged ${elapsed} ms after SIGKILL (heartbeat ${HEARTBEAT_MS} ms)`);

      expect(before.get(dead)).toBe(3);
      expect(elapsed).toBeLessThanOrEqual(2 * HEARTBEAT_MS);
      expect(await owners(admin, prefix)).toEqual(new Map([[survivor, 2]]));
      expect((await keysUnder(admin, prefix)).filter((key) => key.includes(dead))).toEqual([]);
      a1!.sendMessage('after the crash');
      expect(await a1!.next()).toBe('after the crash');
      expect(await a2!.next()).toBe('after the crash');
    });
  });

  describe('a node that restarts', () => {
    it('comes back under a new id and the presence keeps no ghost of its former self', async () => {
      const prefix = uniquePrefix('fault');
      const first = await startNode(fixture.url, prefix, settings);
      nodes.push(first);
      await connect(first.url, 4);
      await eventually(async () => (await connectionCount(admin, prefix)) === 4);
      const [oldId] = await registeredNodes(admin, prefix);
      first.child.kill('SIGKILL');
      const restarted = await startNode(fixture.url, prefix, settings);
      const restartedAt = Date.now();
      nodes.push(restarted);
      const [c1, c2] = await connect(restarted.url, 2);

      await timeUntil(
        async () => !(await owners(admin, prefix)).has(oldId as string),
        restartedAt,
        2 * HEARTBEAT_MS + 500,
      );
      const [newId] = await registeredNodes(admin, prefix);
      expect(newId).not.toBe(oldId);
      await eventually(async () => (await connectionCount(admin, prefix)) === 2);
      expect(await owners(admin, prefix)).toEqual(new Map([[newId, 2]]));
      c1!.sendMessage('fresh start');
      expect(await c2!.next()).toBe('fresh start');
    });
  });
});
