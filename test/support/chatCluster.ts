import { fileURLToPath } from 'node:url';
import { deleteKeysUnder, testClient, uniquePrefix } from './redis.js';
import { type ChatProcess, spawnChatProcess } from './spawnChatProcess.js';

const server = fileURLToPath(new URL('../../dist/server.js', import.meta.url));

export interface ChatClusterOptions {
  /** How many `node dist/server.js` processes form the chat. */
  readonly nodes?: number;
  /** Settings every node gets. */
  readonly env?: Record<string, string>;
}

/** Server processes joined through one Redis under a key prefix of their own. */
export interface RunningChatCluster {
  readonly urls: readonly string[];
  readonly keyPrefix: string;
  readonly processes: readonly ChatProcess[];
  /** What every node wrote, node after node. */
  output(): string;
  /** Sends `signal` to every node, deletes every key under the prefix, resolves with the exit codes. */
  stop(signal?: NodeJS.Signals): Promise<Array<number | null>>;
}

/**
 * Starts `nodes` server processes on the Redis at `redisUrl`, with a fresh key prefix. `env` may
 * reach Redis another way (Sentinel, TLS); `redisUrl` is still where the keys are cleared.
 */
export async function startChatCluster(
  redisUrl: string,
  { nodes = 2, env = {} }: ChatClusterOptions = {},
): Promise<RunningChatCluster> {
  const settings = { REDIS_URL: redisUrl, REDIS_KEY_PREFIX: uniquePrefix('cluster'), ...env };
  const started = await Promise.allSettled(Array.from({ length: nodes }, () => spawnChatProcess([server], settings)));
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
    output: () => running.map((node) => node.output()).join(''),
    async stop(signal?: NodeJS.Signals) {
      const codes = await Promise.all(running.map((node) => node.stop(signal)));
      // Killed nodes leave their keys until they expire: a shared Redis need not wait for that.
      const redis = testClient(redisUrl);
      try {
        await deleteKeysUnder(redis, settings.REDIS_KEY_PREFIX);
      } finally {
        redis.disconnect();
      }
      return codes;
    },
  };
}
