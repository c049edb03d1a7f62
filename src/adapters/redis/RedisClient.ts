import { Cluster, type Redis } from 'ioredis';

/**
 * A link to the chat's Redis: one server (standalone, or the master a Sentinel names), or a
 * Redis Cluster, whose client routes each command to the shard that owns its keys' slot.
 */
export type RedisClient = Redis | Cluster;

/**
 * Whether channels are shard channels (`SPUBLISH`/`SSUBSCRIBE`, Redis 7): on a Redis Cluster a
 * plain publication is copied to every shard, a shard channel stays on the shard that owns its
 * slot, the slot of the room it carries. One server keeps plain pub/sub, which any version has.
 */
export const usesShardChannels = (redis: RedisClient): redis is Cluster => redis instanceof Cluster;

/** The links that hold a slot: every master of a cluster, or the one server. */
export const masters = (redis: RedisClient): Redis[] => (usesShardChannels(redis) ? redis.nodes('master') : [redis]);

/** Publishes `payload` on `channel`: a shard channel on a cluster, a plain one on one server. */
export function publish(redis: RedisClient, channel: string, payload: string): Promise<unknown> {
  return usesShardChannels(redis) ? redis.spublish(channel, payload) : redis.publish(channel, payload);
}

/**
 * How many connections listen on `channel`. On a Redis Cluster only the master that owns its
 * slot knows: every master is asked and the answers added up (an unreachable one counts none).
 */
export async function channelListeners(redis: RedisClient, channel: string): Promise<number> {
  if (!usesShardChannels(redis)) {
    const reply = (await redis.call('PUBSUB', 'NUMSUB', channel)) as unknown[];
    return Number(reply[1] ?? 0);
  }
  const replies = await Promise.allSettled(
    masters(redis).map((master) => master.call('PUBSUB', 'SHARDNUMSUB', channel) as Promise<unknown[]>),
  );
  if (!replies.some((reply) => reply.status === 'fulfilled')) throw new Error('no Redis Cluster master answered');
  return replies.reduce((sum, reply) => sum + (reply.status === 'fulfilled' ? Number(reply.value[1] ?? 0) : 0), 0);
}
