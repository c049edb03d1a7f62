import type { Redis } from 'ioredis';
import type { ConnectionId, ConnectionRepository } from '../../domain/index.js';
import type { RedisKeys } from './RedisKeys.js';
import { RedisScript } from './RedisScript.js';
import { ADD_SCRIPT, PURGE_SCRIPT, REMOVE_SCRIPT } from './scripts.js';

export interface RedisConnectionRepositoryOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  /** The node that holds the connections this instance adds. */
  readonly nodeId: string;
  /** Most ids in one page of `list`. */
  readonly pageSize?: number;
}

const add = new RedisScript(ADD_SCRIPT);
const remove = new RedisScript(REMOVE_SCRIPT);
const purge = new RedisScript(PURGE_SCRIPT);

/**
 * The cluster-wide directory: which node holds which connection. `list` walks the whole chat
 * with HSCAN, so it never blocks Redis and never loads the directory in one reply.
 */
export class RedisConnectionRepository implements ConnectionRepository {
  private readonly redis: Redis;
  private readonly keys: RedisKeys;
  private readonly nodeId: string;
  private readonly pageSize: number;

  constructor({ redis, keys, nodeId, pageSize = 1000 }: RedisConnectionRepositoryOptions) {
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    this.redis = redis;
    this.keys = keys;
    this.nodeId = nodeId;
    this.pageSize = pageSize;
  }

  async add(id: ConnectionId): Promise<void> {
    await add.run(this.redis, [this.keys.prefix, id, this.nodeId]);
  }

  async remove(id: ConnectionId): Promise<void> {
    await remove.run(this.redis, [this.keys.prefix, id]);
  }

  /**
   * HSCAN may return an entry twice (when the hash grows mid-scan); the ids already yielded are
   * remembered so each appears once, and replies are re-cut to the page size.
   */
  async *list(): AsyncIterable<readonly ConnectionId[]> {
    const seen = new Set<string>();
    let page: ConnectionId[] = [];
    let cursor = '0';
    do {
      const [next, flat] = await this.redis.hscan(this.keys.directory, cursor, 'COUNT', this.pageSize);
      cursor = next;
      for (let i = 0; i < flat.length; i += 2) {
        const id = flat[i] as string;
        if (seen.has(id)) continue;
        seen.add(id);
        page.push(id as ConnectionId);
        if (page.length === this.pageSize) {
          yield page;
          page = [];
        }
      }
    } while (cursor !== '0');
    if (page.length > 0) yield page;
  }

  /** The node holding `id`, or undefined when the directory does not know it. */
  async ownerOf(id: ConnectionId): Promise<string | undefined> {
    return (await this.redis.hget(this.keys.directory, id)) ?? undefined;
  }

  /**
   * Makes this node's directory entries exactly `current()`: after an outage (writes failed) or
   * a Redis restart (data lost). `current` is read after the stale entries are known and the
   * writes are queued in the same tick, so a leave that follows is ordered after them.
   */
  async resync(current: () => readonly ConnectionId[], chunk = 1000): Promise<void> {
    const own = this.keys.connections(this.nodeId);
    const recorded = await this.redis.smembers(own);
    const ids = current();
    const live = new Set<string>(ids);
    const stale = recorded.filter((id) => !live.has(id));
    const batch = this.redis.pipeline();
    for (let i = 0; i < stale.length; i += chunk) {
      const part = stale.slice(i, i + chunk);
      batch.hdel(this.keys.directory, ...part).srem(own, ...part);
    }
    for (let i = 0; i < ids.length; i += chunk) {
      const part = ids.slice(i, i + chunk);
      batch.hset(this.keys.directory, ...part.flatMap((id) => [id, this.nodeId])).sadd(own, ...part);
    }
    if (batch.length === 0) return;
    const results = (await batch.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  /** Forgets every connection of `nodeId` (this node's by default) and its registration. */
  async purgeNode(nodeId = this.nodeId): Promise<number> {
    return Number(await purge.run(this.redis, [this.keys.prefix, nodeId]));
  }
}
