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
