import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, delay, eventually } from '../../support/ChatClient.js';
import { startChatCluster } from '../../support/chatCluster.js';
import { type SpawnedRedis, spawnRedisServer, testClient } from '../../support/redis.js';
import { connectionCount } from './clusterNodes.js';
import { type CommandCounts, commandCounts, delta, total } from './commandStats.js';

// A dedicated redis-server: nothing else may add to its command counts.
let redis: SpawnedRedis;
beforeAll(async () => {
  redis = await spawnRedisServer();
});
afterAll(async () => {
  await redis?.stop();
});

describe('cluster of two nodes', () => {
  describe('broadcast cost', () => {
    it('issues the same Redis commands per broadcast for 100 and for 1,000 clients', async () => {
      // Beats only at start, so the measured windows hold broadcasts alone.
      const chat = await startChatCluster(redis.url, {
        env: { REDIS_HEARTBEAT_MS: '600000', MAX_CONNECTIONS_PER_IP: '0', RATE_LIMIT_PER_S: '0' },
      });
      const admin = testClient(redis.url);
      const clients: ChatClient[] = [];
      const broadcasts = 20;
      const measure = async (size: number): Promise<CommandCounts> => {
        while (clients.length < size) {
          const batch = Math.min(100, size - clients.length);
          const next = Array.from({ length: batch }, (_, i) =>
            ChatClient.connect(chat.urls[(clients.length + i) % chat.urls.length] as string),
          );
          clients.push(...(await Promise.all(next)));
        }
        await eventually(async () => (await connectionCount(admin, chat.keyPrefix)) === size, 20_000);
        await delay(200);
        const before = await commandCounts(admin);
        const sender = clients[1] as ChatClient;
        const seen = clients.map((client) => client.frames.length);
        for (let i = 0; i < broadcasts; i++) sender.sendMessage(`cost ${size} #${i}`);
        await Promise.all(clients.map((client, i) => client.waitForFrames((seen[i] as number) + broadcasts, 30_000)));
        await delay(200);
        return delta(before, await commandCounts(admin));
      };
      try {
        // The room's first message creates its counter: not part of what a message costs.
        await measure(2);
        const small = await measure(100);
        const large = await measure(1000);
        console.log(
          `Redis commands for ${broadcasts} broadcasts over 2 nodes:` +
            ` 100 clients ${JSON.stringify(small)} (${total(small) / broadcasts} per broadcast),` +
            ` 1000 clients ${JSON.stringify(large)} (${total(large) / broadcasts} per broadcast)`,
        );
        // One command per message: the script that numbers, stores and publishes it (the commands
        // it runs inside Redis are counted too, and are as many whatever the audience).
        expect(small.evalsha).toBe(broadcasts);
        expect(small.eval).toBeUndefined();
        expect(small.publish).toBe(broadcasts);
        expect(large).toEqual(small);
      } finally {
        for (const client of clients) client.vanish();
        await chat.stop('SIGKILL');
        admin.disconnect();
      }
    });
  });
});
