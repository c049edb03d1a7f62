import { Cluster } from 'ioredis';
import { type ConnectRedisOptions, RedisUnavailableError } from './connectRedis.js';
import { type RedisTarget, tlsOptions } from './RedisTarget.js';

/**
 * Opens a Redis Cluster client from its seed nodes (`host:port` each) and resolves once it
 * knows the slots, or rejects with `RedisUnavailableError`. The same roles as `connectRedis`:
 * the commands link fails fast while a shard is unreachable (after ioredis' own retries through
 * a failover); the subscriber link listens on shard channels, one connection per master that
 * owns a slot with a subscribed channel, and follows the masters through failovers.
 */
export async function connectRedisCluster(
  target: RedisTarget & { kind: 'cluster' },
  options: ConnectRedisOptions,
): Promise<Cluster> {
  const nodes = target.nodes.map(({ host, port }) => `${host}:${port}`);
  const { role, connectTimeoutMs = 5000, maxReconnectDelayMs = 1000, commandTimeoutMs = 2000 } = options;
  const cluster = new Cluster(
    target.nodes.map(({ host, port }) => ({ host, port })),
    {
      lazyConnect: true,
      enableOfflineQueue: role === 'subscriber',
      shardedSubscribers: role === 'subscriber',
      // The commands link does not retry a command by itself through a failover: ioredis gives
      // each command its own retry budget, so a later publication could land before an earlier
      // one that gave up, and the append script would then drop the earlier one's resend as a
      // repeat. The relay holds what failed and sends it again in order once the shard answers.
      ...(role === 'commands' ? { retryDelayOnFailover: 0, retryDelayOnClusterDown: 0, retryDelayOnTryAgain: 0 } : {}),
      // A promoted replica is learnt within a second even when no command is redirected to it.
      slotsRefreshInterval: 1000,
      clusterRetryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxReconnectDelayMs),
      redisOptions: {
        connectTimeout: connectTimeoutMs,
        maxRetriesPerRequest: null,
        autoResubscribe: true,
        ...(role === 'commands' ? { commandTimeout: commandTimeoutMs } : {}),
        connectionName: options.name ?? `chat-${role}`,
        ...(target.tls === undefined ? {} : { tls: tlsOptions(target.tls) }),
      },
    },
  );
  let started = false;
  let firstError: Error | undefined;
  cluster.on('error', (error: Error) => {
    if (started) options.onError?.(error);
    else firstError ??= error;
  });
  const described = nodes.join(',');
  const timer = setTimeout(() => cluster.disconnect(), connectTimeoutMs);
  try {
    await cluster.connect();
  } catch (error) {
    cluster.disconnect();
    throw new RedisUnavailableError(`redis-cluster://${described}`, firstError ?? error);
  } finally {
    clearTimeout(timer);
  }
  started = true;
  return cluster;
}

/** Closes a cluster client politely, or cuts it when Redis does not answer within `timeoutMs`. */
export async function closeRedisCluster(cluster: Cluster, timeoutMs = 1000): Promise<void> {
  if (cluster.status !== 'ready') {
    cluster.disconnect();
    return;
  }
  const timer = setTimeout(() => cluster.disconnect(), timeoutMs);
  try {
    await cluster.quit();
  } catch {
    cluster.disconnect();
  } finally {
    clearTimeout(timer);
  }
}
