import { type ChatClusterOptions, type ChatClusterRedis, startChatCluster } from '../support/chatCluster.js';
import type { RuntimeShape } from './RuntimeShape.js';

/**
 * `nodes` server processes joined through the Redis Cluster `redis()` gives (read when a chat
 * starts, so a fixture started in `beforeAll` can provide it). The test's own `env` wins.
 */
export function redisClusterShape(
  redis: () => ChatClusterRedis,
  { nodes = 2, env: shared = {} }: ChatClusterOptions = {},
) {
  return {
    name: `cluster of ${nodes} nodes on a Redis Cluster`,
    ordersPerSender: true,
    start: (env = {}) => startChatCluster(redis(), { nodes, env: { ...shared, ...env } }),
  } satisfies RuntimeShape;
}
