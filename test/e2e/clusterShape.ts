import { fileURLToPath } from 'node:url';
import { deleteKeysUnder, testClient, uniquePrefix } from '../support/redis.js';
import { spawnChatProcess } from '../support/spawnChatProcess.js';
import type { RuntimeShape } from './RuntimeShape.js';

const server = fileURLToPath(new URL('../../dist/server.js', import.meta.url));

export interface ClusterShapeOptions {
  /** How many `node dist/server.js` processes form the chat. */
  readonly nodes?: number;
  /** Settings every node gets (the test's own `env` wins). */
  readonly env?: Record<string, string>;
}

/**
 * `nodes` server processes joined through the Redis at `redisUrl()` (read when a chat starts,
 * so a fixture started in `beforeAll` can provide it). Every start gets a fresh key prefix,
 * deleted again when the chat stops.
 */
export function clusterShape(redisUrl: () => string, { nodes = 2, env: shared = {} }: ClusterShapeOptions = {}) {
  return {
    name: `cluster of ${nodes} nodes on one Redis`,
    async start(env = {}) {
      const settings = { REDIS_URL: redisUrl(), REDIS_KEY_PREFIX: uniquePrefix('e2e'), ...shared, ...env };
      const started = await Promise.allSettled(
        Array.from({ length: nodes }, () => spawnChatProcess([server], settings)),
      );
      const running = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
      const failure = started.find((result) => result.status === 'rejected');
      if (failure !== undefined) {
        await Promise.all(running.map((node) => node.stop('SIGKILL')));
        throw failure.reason;
      }
      return {
        urls: running.map((node) => node.url),
        keyPrefix: settings.REDIS_KEY_PREFIX,
        processes: running,
        async stop(signal?: NodeJS.Signals) {
          const codes = await Promise.all(running.map((node) => node.stop(signal)));
          // Killed nodes leave their entries behind: a shared Redis must not collect them.
          const redis = testClient(settings.REDIS_URL);
          try {
            await deleteKeysUnder(redis, settings.REDIS_KEY_PREFIX);
          } finally {
            redis.disconnect();
          }
          return codes;
        },
      };
    },
  } satisfies RuntimeShape;
}
