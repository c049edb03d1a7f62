import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import { type ChatProcess, spawnChatProcess } from '../../support/spawnChatProcess.js';

const server = fileURLToPath(new URL('../../../dist/server.js', import.meta.url));

/** Starts one `node dist/server.js` cluster node under `prefix`. */
export function startNode(redisUrl: string, prefix: string, env: Record<string, string> = {}): Promise<ChatProcess> {
  return spawnChatProcess([server], { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: prefix, ...env });
}

/** The directory as Redis holds it: connection id to node id. */
export async function directory(redis: Redis, prefix: string): Promise<Record<string, string>> {
  return redis.hgetall(`${prefix}directory`);
}

/** Node ids of the directory's entries, with how many connections each holds. */
export async function owners(redis: Redis, prefix: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const owner of Object.values(await directory(redis, prefix))) counts.set(owner, (counts.get(owner) ?? 0) + 1);
  return counts;
}

/** Registered node ids. */
export async function registeredNodes(redis: Redis, prefix: string): Promise<string[]> {
  return (await redis.smembers(`${prefix}nodes`)).sort();
}
