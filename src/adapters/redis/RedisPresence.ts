import type { Redis } from 'ioredis';
import type { ConnectionId } from '../../domain/index.js';
import type { RedisKeys } from './RedisKeys.js';

export interface RedisPresenceOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly nodeId: string;
  /** How long this node's entries outlive its last write or heartbeat. */
  readonly ttlMs: number;
}

/**
 * Who is connected, cluster-wide, as Redis holds it: each node writes its own connections into a
 * hash of its own that expires unless refreshed, so a node that dies (or a cluster that stops
 * without cleaning up) leaves nothing behind for longer than `ttlMs`.
 */
export class RedisPresence {
  private readonly own: string;

  constructor(private readonly options: RedisPresenceOptions) {
    this.own = options.keys.connections(options.nodeId);
  }

  /**
   * Records `id` on this node. The hash may be new, so it gets an expiry; an existing one keeps
   * the expiry the heartbeat gave it, so the hash never outlives the node's registration.
   */
  async add(id: ConnectionId): Promise<void> {
    await this.options.redis.multi().hset(this.own, id, '').pexpire(this.own, this.options.ttlMs, 'NX').exec();
  }

  async remove(id: ConnectionId): Promise<void> {
    await this.options.redis.hdel(this.own, id);
  }

  /**
   * Makes this node's entries exactly `current()`, in one transaction: after an outage (writes
   * failed) or a Redis restart (data lost). `current` is read when the transaction is queued, so
   * a leave that follows is ordered after it.
   */
  async resync(current: () => readonly ConnectionId[], chunk = 1000): Promise<void> {
    const ids = current();
    const batch = this.options.redis.multi().del(this.own);
    for (let i = 0; i < ids.length; i += chunk) {
      batch.hset(this.own, ...ids.slice(i, i + chunk).flatMap((id) => [id, '']));
    }
    if (ids.length > 0) batch.pexpire(this.own, this.options.ttlMs);
    const results = (await batch.exec()) ?? [];
    const failed = results.find(([error]) => error !== null);
    if (failed !== undefined) throw failed[0];
  }

  /** Forgets this node: its connections and its registration. */
  async clear(): Promise<number> {
    const { redis, keys, nodeId } = this.options;
    const results = (await redis.multi().hlen(this.own).del(this.own).zrem(keys.nodes, nodeId).exec()) ?? [];
    return Number(results[0]?.[1] ?? 0);
  }

  /**
   * Every connection of every live node, in pages of at most `pageSize`. HSCAN may return an
   * entry twice (when a hash grows mid-scan); ids already yielded are skipped.
   */
  async *list(pageSize = 1000): AsyncIterable<readonly ConnectionId[]> {
    const { redis, keys } = this.options;
    const seen = new Set<string>();
    let page: ConnectionId[] = [];
    for (const node of await redis.zrangebyscore(keys.nodes, Date.now(), '+inf')) {
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(keys.connections(node), cursor, 'COUNT', pageSize);
        cursor = next;
        for (let i = 0; i < flat.length; i += 2) {
          const id = flat[i] as string;
          if (seen.has(id)) continue;
          seen.add(id);
          page.push(id as ConnectionId);
          if (page.length === pageSize) {
            yield page;
            page = [];
          }
        }
      } while (cursor !== '0');
    }
    if (page.length > 0) yield page;
  }
}
