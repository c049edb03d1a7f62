import { createHash } from 'node:crypto';
import type { Redis } from 'ioredis';

/** A Lua script run by its digest, sent in full only when Redis does not know it (yet, or any more). */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  async run(redis: Redis, args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, 0, ...args);
    } catch (error) {
      // A restarted Redis has an empty script cache: EVAL sends the script and caches it again.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) return redis.eval(this.lua, 0, ...args);
      throw error;
    }
  }
}
