import { createHash } from 'node:crypto';
import { masters, type RedisClient } from './RedisClient.js';

/** A Lua script run by its digest, sent in full only when Redis does not know it (yet, or any more). */
export class RedisScript {
  private readonly sha: string;

  constructor(private readonly lua: string) {
    this.sha = createHash('sha1').update(lua).digest('hex');
  }

  /**
   * Caches the script in Redis ahead of use: otherwise every call sent before the first EVAL
   * answered (a burst, or the first messages after a restart) would miss and send it in full.
   * On a Redis Cluster every master gets it: each runs it for the slots it owns.
   */
  async load(redis: RedisClient): Promise<void> {
    await Promise.all(masters(redis).map((master) => master.script('LOAD', this.lua)));
  }

  async run(redis: RedisClient, keys: readonly string[], args: ReadonlyArray<string | number>): Promise<unknown> {
    try {
      return await redis.evalsha(this.sha, keys.length, ...keys, ...args);
    } catch (error) {
      // A restarted Redis has an empty script cache: EVAL sends the script and caches it again.
      if (error instanceof Error && error.message.startsWith('NOSCRIPT')) {
        return redis.eval(this.lua, keys.length, ...keys, ...args);
      }
      throw error;
    }
  }
}
