import { readFileSync } from 'node:fs';
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

    it('issues the same Redis commands per room message for 10 and 1,000 members, and none reach a node without members', async () => {
      // Two nodes hold the members; the third holds a client in no room, and must not hear the rooms.
      const chat = await startChatCluster(redis.url, {
        nodes: 3,
        env: { REDIS_HEARTBEAT_MS: '600000', MAX_CONNECTIONS_PER_IP: '0', RATE_LIMIT_PER_S: '0' },
      });
      const admin = testClient(redis.url);
      const clients: ChatClient[] = [];
      const messages = 50;
      const [urlA, urlB, urlC] = chat.urls as [string, string, string];
      const outsider = await ChatClient.connect(urlC);
      clients.push(outsider);
      const join = async (room: string, size: number) => {
        const members: ChatClient[] = [];
        while (members.length < size) {
          const batch = Math.min(100, size - members.length);
          const next = await Promise.all(
            Array.from({ length: batch }, (_, i) => ChatClient.connect((members.length + i) % 2 === 0 ? urlA : urlB)),
          );
          for (const client of next) client.send(JSON.stringify({ action: 'joinRoom', room }));
          members.push(...next);
        }
        clients.push(...members);
        await eventually(() => members.every((client) => client.frames.length >= 1), 30_000);
        return members;
      };
      const measure = async (room: string, members: ChatClient[]) => {
        const sender = members[0] as ChatClient;
        const seen = members.map((client) => client.frames.length);
        // The room's first message creates its counter and stream: not part of what a message costs.
        sender.send(JSON.stringify({ action: 'sendMessage', room, data: 'first' }));
        await Promise.all(members.map((client, i) => client.waitForFrames((seen[i] as number) + 1, 30_000)));
        await delay(200);
        const before = await commandCounts(admin);
        const cpuBefore = cpuMicros(chat.processes[2]?.child.pid as number);
        for (let i = 0; i < messages; i++) {
          sender.send(JSON.stringify({ action: 'sendMessage', room, data: `${room} #${i}` }));
        }
        await Promise.all(members.map((client, i) => client.waitForFrames((seen[i] as number) + 1 + messages, 30_000)));
        await delay(200);
        const outsiderMicros = (cpuMicros(chat.processes[2]?.child.pid as number) - cpuBefore) / messages;
        const commands = delta(before, await commandCounts(admin));
        const listening = (await admin.call('PUBSUB', 'NUMSUB', `${chat.keyPrefix}{r:${room}}`)) as [string, number];
        return { commands, outsiderMicros, listening: listening[1] };
      };
      try {
        const small = await measure('small', await join('small', 10));
        const large = await measure('large', await join('large', 1000));
        console.log(
          `Redis commands for ${messages} room messages over 3 nodes (2 with members):` +
            ` 10 members ${JSON.stringify(small.commands)} (${total(small.commands) / messages} per message),` +
            ` 1,000 members ${JSON.stringify(large.commands)} (${total(large.commands) / messages} per message);` +
            ` CPU of the node without members: ${small.outsiderMicros.toFixed(1)} and ${large.outsiderMicros.toFixed(1)} µs per message`,
        );
        // One command per message from the client's node: the script that numbers, stores and
        // publishes it (what it runs inside Redis is counted too, and is the same whatever the room).
        expect(small.commands.evalsha).toBe(messages);
        expect(small.commands.publish).toBe(messages);
        expect(large.commands).toEqual(small.commands);
        // Only the two nodes with members listen to the room's channel.
        expect([small.listening, large.listening]).toEqual([2, 2]);
        expect(outsider.frames).toEqual([]);
      } finally {
        for (const client of clients) client.vanish();
        await chat.stop('SIGKILL');
        admin.disconnect();
      }
    });
  });
});

/** User plus system CPU a process has used, from /proc (clock ticks of 10 ms). */
function cpuMicros(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
  return (Number(fields[11]) + Number(fields[12])) * 10_000;
}
