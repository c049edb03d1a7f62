import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, eventually } from '../../support/ChatClient.js';
import { type SpawnedRedis, spawnRedisServer, uniquePrefix } from '../../support/redis.js';
import type { ChatProcess } from '../../support/spawnChatProcess.js';
import { startNode } from './clusterNodes.js';

// A Redis that stops answering without dropping the link (SIGSTOP): commands time out instead of
// holding up joins, local chat and shutdown.
let redis: SpawnedRedis | undefined;
const nodes: ChatProcess[] = [];
const clients: ChatClient[] = [];
afterEach(async () => {
  if (redis !== undefined) process.kill(redis.pid, 'SIGCONT');
  for (const client of clients.splice(0)) client.vanish();
  await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
  await redis?.kill();
  redis = undefined;
});

describe('cluster while Redis stalls', () => {
  it('lets a client join and chat locally, answers its mistakes, then relays once Redis answers again', async () => {
    redis = await spawnRedisServer();
    const prefix = uniquePrefix('stall');
    const [a, b] = await Promise.all([
      startNode(redis.url, prefix, { REDIS_HEARTBEAT_MS: '500' }),
      startNode(redis.url, prefix, { REDIS_HEARTBEAT_MS: '500' }),
    ]);
    nodes.push(a, b);
    const [a1, b1] = await Promise.all([ChatClient.connect(a.url), ChatClient.connect(b.url)]);
    clients.push(a1, b1);

    process.kill(redis.pid, 'SIGSTOP');
    const late = await ChatClient.connect(a.url);
    clients.push(late);
    late.send('{"action":"nope"}');
    late.sendMessage('during the stall');
    expect(await late.next(15_000)).toBe('Error: Invalid action type');
    expect(await late.next(15_000)).toBe('during the stall');
    await eventually(() => a1.frames.includes('during the stall'), 15_000);

    process.kill(redis.pid, 'SIGCONT');
    late.sendMessage('after the stall');
    await eventually(() => b1.frames.includes('after the stall'), 15_000);
    expect(b1.frames.filter((frame) => frame === 'after the stall')).toHaveLength(1);
  }, 60_000);

  it('exits 0 on SIGTERM even though Redis does not answer', async () => {
    redis = await spawnRedisServer();
    const node = await startNode(redis.url, uniquePrefix('stall'), {
      REDIS_HEARTBEAT_MS: '500',
      SHUTDOWN_GRACE_MS: '500',
    });
    nodes.push(node);
    const client = await ChatClient.connect(node.url);
    clients.push(client);
    process.kill(redis.pid, 'SIGSTOP');
    const started = Date.now();
    expect(await node.stop('SIGTERM')).toBe(0);
    expect((await client.closed).code).toBe(1001);
    expect(Date.now() - started).toBeLessThan(15_000);
  }, 60_000);
});
