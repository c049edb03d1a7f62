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

  /** Whether the link is up now. */
  get ready(): boolean {
    return this.redis.status === 'ready';
  }

  async unsubscribe(channel: string): Promise<void> {
    this.handlers.delete(channel);
    if (this.redis.status === 'ready') await this.redis.unsubscribe(channel);
  }

  /**
   * Calls `listener` each time the link is back after a loss, once its subscriptions are active
   * again (a PING answered after ioredis resent them): what was published meanwhile never
   * arrived, and the listener can look for it.
   */
  onResubscribed(listener: () => void): void {
    let lost = false;
    this.redis.on('close', () => {
      lost = true;
    });
    this.redis.on('ready', () => {
      if (!lost) return;
      lost = false;
      this.redis.ping().then(listener, () => {
        lost = true;
      });
    });
  }
}
