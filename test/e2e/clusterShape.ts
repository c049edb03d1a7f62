import { type ChatClusterOptions, startChatCluster } from '../support/chatCluster.js';
import type { RuntimeShape } from './RuntimeShape.js';

/**
 * `nodes` server processes joined through the Redis at `redisUrl()` (read when a chat starts,
 * so a fixture started in `beforeAll` can provide it). The test's own `env` wins over `env`.
 */
export function clusterShape(redisUrl: () => string, { nodes = 2, env: shared = {} }: ChatClusterOptions = {}) {
  return {
    name: `cluster of ${nodes} nodes on one Redis`,
    ordersPerSender: true,
    start: (env = {}) => startChatCluster(redisUrl(), { nodes, env: { ...shared, ...env } }),
  } satisfies RuntimeShape;
}
