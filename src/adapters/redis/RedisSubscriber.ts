import type { Redis } from 'ioredis';

/**
 * One subscriber connection shared by every channel a node listens on. ioredis subscribes
 * again by itself after a reconnect (the Redis restart tests check that it does).
 */
export class RedisSubscriber {
  private readonly handlers = new Map<string, (message: string) => void>();

  constructor(private readonly redis: Redis) {
    redis.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
  }

  /** Delivers every message of `channel` to `handler`, from the moment this resolves. */
  async subscribe(channel: string, handler: (message: string) => void): Promise<void> {
    this.handlers.set(channel, handler);
    await this.redis.subscribe(channel);
  }

  async unsubscribe(channel: string): Promise<void> {
    this.handlers.delete(channel);
    if (this.redis.status === 'ready') await this.redis.unsubscribe(channel);
  }
}
