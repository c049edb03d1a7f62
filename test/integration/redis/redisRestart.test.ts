import { afterEach, describe, expect, it } from 'vitest';
import { PEERS_UNREACHABLE_REPLY } from '../../../src/application/index.js';
import { ChatClient, delay, eventually } from '../../support/ChatClient.js';
import { type SpawnedRedis, spawnRedisServer, testClient, uniquePrefix } from '../../support/redis.js';
import type { ChatProcess } from '../../support/spawnChatProcess.js';
import { owners, registeredNodes, startNode } from './clusterNodes.js';

// Each test kills and restarts its own redis-server on the same port.
let redis: SpawnedRedis | undefined;
const nodes: ChatProcess[] = [];
const clients: ChatClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.vanish();
  await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
  await redis?.kill();
  redis = undefined;
});

/** Two nodes on a fresh redis-server: clients a1 and a2 on node A, b1 on node B. */
async function arrange(env: Record<string, string> = {}) {
  redis = await spawnRedisServer();
  const prefix = uniquePrefix('restart');
  const settings = { REDIS_HEARTBEAT_MS: '500', RATE_LIMIT_PER_S: '0', ...env };
  const [a, b] = await Promise.all([startNode(redis.url, prefix, settings), startNode(redis.url, prefix, settings)]);
  nodes.push(a, b);
  const [a1, a2] = await Promise.all([ChatClient.connect(a.url), ChatClient.connect(a.url)]);
  const b1 = await ChatClient.connect(b.url);
  clients.push(a1, a2, b1);
  a1.sendMessage('before');
  for (const client of [a1, a2, b1]) expect(await client.next()).toBe('before');
  return { prefix, a1, a2, b1, port: redis.port };
}

const during = (label: string, count: number) => Array.from({ length: count }, (_, i) => `${label} ${i}`);
const sent = (client: ChatClient, label: string) => client.frames.filter((frame) => frame.startsWith(label));

describe('cluster during a Redis restart', () => {
  describe('with room to hold the messages', () => {
    it('keeps local chat going, then delivers what was sent meanwhile once, in order, and resubscribes', async () => {
      const { prefix, a1, a2, b1, port } = await arrange();
      await redis?.kill();
      const fromA = during('from a', 5);
      const fromB = during('from b', 3);
      for (const frame of fromA) a1.sendMessage(frame);
      for (const frame of fromB) b1.sendMessage(frame);
      await eventually(() => sent(a2, 'from a').length === fromA.length && sent(b1, 'from b').length === fromB.length);
      expect(sent(b1, 'from b')).toEqual(fromB);
      expect(sent(b1, 'from a')).toEqual([]);

      await delay(500);
      redis = await spawnRedisServer(port);
      const restartedAt = Date.now();
      await eventually(() => sent(b1, 'from a').length >= fromA.length && sent(a2, 'from b').length >= 3, 15_000).catch(
        (error: unknown) => {
          // The nodes' logs say which side held, resumed or dropped what.
          console.log(nodes.map((node) => node.output()).join('\n'));
          throw error;
        },
      );
      console.log(`messages held during the outage delivered ${Date.now() - restartedAt} ms after Redis restarted`);
      await delay(300);
      expect(sent(b1, 'from a')).toEqual(fromA);
      expect(sent(a1, 'from b')).toEqual(fromB);
      expect(sent(a2, 'from b')).toEqual(fromB);
      expect([...a1.frames, ...b1.frames].filter((frame) => frame.startsWith('Error'))).toEqual([]);

      b1.sendMessage('after');
      for (const client of [a1, a2, b1]) await eventually(() => client.frames.includes('after'));
      const admin = testClient(redis.url);
      try {
        await eventually(async () => (await registeredNodes(admin, prefix)).length === 2, 5000);
        await eventually(async () => [...(await owners(admin, prefix)).values()].sort().join() === '1,2', 5000);
      } finally {
        admin.disconnect();
      }
    });
  });

  describe('with more messages than the node may hold', () => {
    it('answers each message it cannot hold with an error to its sender, and delivers the others', async () => {
      const { a1, a2, b1, port } = await arrange({ REDIS_MAX_HELD_FRAMES: '3' });
      await redis?.kill();
      await delay(200);
      const fromA = during('from a', 6);
      for (const frame of fromA) a1.sendMessage(frame);
      await eventually(() => sent(a2, 'from a').length === fromA.length);
      await eventually(() => a1.frames.filter((frame) => frame === PEERS_UNREACHABLE_REPLY).length === 3);

      redis = await spawnRedisServer(port);
      await eventually(() => sent(b1, 'from a').length >= 3, 15_000);
      await delay(300);
      expect(sent(b1, 'from a')).toEqual(fromA.slice(0, 3));
      expect(a1.frames.slice(1)).toEqual([
        ...fromA.slice(0, 3),
        ...fromA.slice(3).flatMap((frame) => [frame, PEERS_UNREACHABLE_REPLY]),
      ]);
    });
  });

  describe('under steady traffic', () => {
    it('loses nothing silently: every message reaches the other node or its sender hears why not', async () => {
      const { a1, b1, port } = await arrange({ REDIS_MAX_HELD_FRAMES: '60' });
      const sentFrames: string[] = [];
      let sequence = 0;
      const traffic = setInterval(() => {
        const frame = `steady ${sequence++}`;
        sentFrames.push(frame);
        a1.sendMessage(frame);
      }, 10);
      try {
        await delay(500);
        await redis?.kill();
        await delay(1000);
        redis = await spawnRedisServer(port);
        await delay(1000);
      } finally {
        clearInterval(traffic);
      }
      const refusals = () => a1.frames.filter((frame) => frame === PEERS_UNREACHABLE_REPLY).length;
      await eventually(() => sent(b1, 'steady').length + refusals() >= sentFrames.length, 15_000);
      await delay(300);
      const refused = new Set(
        a1.frames.flatMap((frame, i) => (a1.frames[i + 1] === PEERS_UNREACHABLE_REPLY ? [frame] : [])),
      );
      console.log(
        `steady traffic across a Redis restart: ${sentFrames.length} sent, ${sent(b1, 'steady').length} relayed, ` +
          `${refused.size} refused with an error to the sender`,
      );
      expect(refused.size).toBeGreaterThan(0);
      expect(sent(b1, 'steady')).toEqual(sentFrames.filter((frame) => !refused.has(frame)));
      expect(sent(a1, 'steady')).toEqual(sentFrames);
    });
  });
});
