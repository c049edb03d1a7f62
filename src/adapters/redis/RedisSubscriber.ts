import type { Cluster, Redis } from 'ioredis';
import { type RedisClient, usesShardChannels } from './RedisClient.js';

/**
 * One subscriber link shared by every channel a node listens on: plain channels on one Redis,
 * shard channels on a Redis Cluster (where ioredis keeps one connection per master that owns a
 * subscribed channel's slot). ioredis subscribes again by itself after a reconnect or a failover
 * (the Redis restart and failover tests check that it does).
 */
export class RedisSubscriber {
  private readonly handlers = new Map<string, (message: string) => void>();

  constructor(private readonly redis: RedisClient) {
    const dispatch = (channel: string, message: string) => this.handlers.get(channel)?.(message);
    redis.on(usesShardChannels(redis) ? 'smessage' : 'message', dispatch);
  }

  /** Delivers every message of `channel` to `handler`, from the moment this resolves. */
  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.handlers.set(channel, handler);
    if (usesShardChannels(this.redis)) await this.redis.ssubscribe(channel);
    else await this.redis.subscribe(channel);
  }

  /** Whether the link is up now. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async unsubscribe(channel: string): Promise<void> {
    this.handlers.delete(channel);
    if (this.redis.status !== 'ready') return;
    if (usesShardChannels(this.redis)) await this.redis.sunsubscribe(channel);
    else await this.redis.unsubscribe(channel);
  }

  /**
   * Calls `listener` each time the link is back after a loss, once its subscriptions are active
   * again: what was published meanwhile never arrived, and the listener can look for it.
   */
  onResubscribed(listener: () => void): void {
    if (usesShardChannels(this.redis)) afterShardResubscribe(this.redis, listener);
    else afterResubscribe(this.redis, listener);
  }
}

/** One server: a PING answered after ioredis resent the subscriptions says they are active. */
function afterResubscribe(redis: Redis, listener: () => void): void {
  let lost = false;
  redis.on('close', () => {
    lost = true;
  });
  redis.on('ready', () => {
    if (!lost) return;
    lost = false;
    redis.ping().then(listener, () => {
      lost = true;
    });
  });
}

/**
 * When to look again after a shard's subscriber came back: soon, then further apart for half a
 * minute, since on a busy machine a resent subscription can take seconds to take effect.
 */
const SHARD_LOOKS_MS = [0, 500, 1000, 2000, 3000, 5000, 8000, 12_000, 20_000, 30_000];

/**
 * A cluster: a master's subscriber connection ended (its master died, or the slots moved) and
 * ioredis made the new set and sent the subscriptions again without waiting for their answers.
 * The listener runs right away and again several times over the next half minute, so a publication
 * that slipped between a look and the subscription taking effect is found by a later look even
 * when no later message of its room shows the gap.
 */
function afterShardResubscribe(cluster: Cluster, listener: () => void): void {
  let lost = false;
  cluster.on('-subscriber', () => {
    lost = true;
  });
  cluster.on('subscribersReady', () => {
    if (!lost) return;
    lost = false;
    for (const after of SHARD_LOOKS_MS) setTimeout(listener, after).unref();
  });
}
