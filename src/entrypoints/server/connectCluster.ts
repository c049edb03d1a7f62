import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { closeRedis, connectRedis, RedisKeys, RedisSubscriber } from '../../adapters/redis/index.js';
import { describeError, log } from '../log.js';

/** The Redis connections and identity of one cluster node. */
export interface ClusterLinks {
  /** Fresh on every start, so a restarted node inherits nothing of its former self. */
  readonly nodeId: string;
  readonly keys: RedisKeys;
  readonly commands: Redis;
  readonly subscriber: RedisSubscriber;
  close(): Promise<void>;
}

/** Connects to Redis, or rejects with `RedisUnavailableError` so the server exits clearly. */
export async function connectCluster(url: string, keyPrefix: string): Promise<ClusterLinks> {
  const up = { commands: true, subscriber: true };
  // ioredis reports every failed reconnection attempt; one line when a link drops is enough.
  const onError = (role: keyof typeof up) => (error: Error) => {
    if (up[role]) log('warn', 'redis.error', { role, ...describeError(error) });
  };
  const commands = await connectRedis(url, { role: 'commands', onError: onError('commands') });
  let subscriberConnection: Redis;
  try {
    subscriberConnection = await connectRedis(url, { role: 'subscriber', onError: onError('subscriber') });
  } catch (error) {
    commands.disconnect();
    throw error;
  }
  for (const [role, connection] of [
    ['commands', commands],
    ['subscriber', subscriberConnection],
  ] as const) {
    connection.on('close', () => {
      if (up[role]) log('warn', 'redis.disconnected', { role });
      up[role] = false;
    });
    connection.on('ready', () => {
      up[role] = true;
      log('info', 'redis.ready', { role });
    });
  }
  return {
    nodeId: randomUUID(),
    keys: new RedisKeys(keyPrefix),
    commands,
    subscriber: new RedisSubscriber(subscriberConnection),
    async close() {
      await Promise.all([closeRedis(commands), closeRedis(subscriberConnection)]);
    },
  };
}
