import type { Redis } from 'ioredis';

/**
 * One subscriber connection shared by every channel a node listens on. ioredis subscribes
 * again by itself after a reconnect; `resubscribed` lets callers know when that happened.
 */
export class RedisSubscriber {
  private readonly handlers = new Map<string, (message: string) => void>();
  private readonly resubscribeListeners: Array<() => void> = [];
  private connectedBefore = false;

  constructor(private readonly redis: Redis) {
    redis.on('message', (channel: string, message: string) => this.handlers.get(channel)?.(message));
    redis.on('ready', () => {
      // ioredis re-issues SUBSCRIBE inside its ready handler, before this listener's callbacks run.
      if (this.connectedBefore) for (const listener of this.resubscribeListeners) listener();
      this.connectedBefore = true;
    });
    this.connectedBefore = redis.status === 'ready';
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

  /** Calls `listener` each time the connection is back after an outage. */
  onResubscribed(listener: () => void): void {
    this.resubscribeListeners.push(listener);
  }
}
