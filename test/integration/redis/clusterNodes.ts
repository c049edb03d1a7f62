import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { RedisKeys } from '../../../src/adapters/redis/index.js';
import { type ChatProcess, spawnChatProcess } from '../../support/spawnChatProcess.js';

const server = fileURLToPath(new URL('../../../dist/server.js', import.meta.url));

/** Starts one `node dist/server.js` cluster node under `prefix`. */
export function startNode(redisUrl: string, prefix: string, env: Record<string, string> = {}): Promise<ChatProcess> {
  return spawnChatProcess([server], { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, ...env });
}

/** Registered node ids whose registration has not lapsed. */
export async function registeredNodes(redis: Redis, prefix: string): Promise<string[]> {
  return (await redis.zrangebyscore(new RedisKeys(prefix).nodes, Date.now(), '+inf')).sort();
}

/** Each registered node's id with how many connections its presence holds. */
export async function owners(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const node of await registeredNodes(redis, prefix)) {
    const count = await redis.hlen(new RedisKeys(prefix).connections(node));
    if (count > 0) counts.set(node, count);
  }
  return counts;
}

/** How many connections the whole cluster's presence holds. */
export async function connectionCount(redis: Redis, prefix: string): Promise<number> {
  let total = 0;
  for (const count of (await owners(redis, prefix)).values()) total += count;
  return total;
}
