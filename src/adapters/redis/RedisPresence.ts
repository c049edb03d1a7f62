import type { Connection, ConnectionId, Identity, Member, MemberList, RoomName } from '../../domain/index.js';
import type { RedisClient } from './RedisClient.js';
import type { RedisKeys } from './RedisKeys.js';

export interface RedisPresenceOptions {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly nodeId: string;
  /** How long a registration lives: new keys expire with it until the first beat says when. */
  readonly ttlMs: number;
}

const identity = ({ name, user }: Identity): string => JSON.stringify(user === undefined ? { name } : { name, user });

/**
 * Who is connected and in which room, cluster-wide, as Redis holds it: each node writes its own
 * connections and room members into hashes of its own that expire unless its heartbeat refreshes
 * them, so a node that dies (or a cluster that stops without cleaning up) leaves nothing behind
 * for longer than its registration lived. Every write sets the key to expire at the instant the
 * node's registration lapses, so no key outlives it.
 */
export class RedisPresence {
  private readonly own: string;
  private lapsesAt: number;

  constructor(private readonly options: RedisPresenceOptions) {
    this.own = options.keys.connections(options.nodeId);
    this.lapsesAt = Date.now() + options.ttlMs;
  }

  /** The heartbeat moved the node's registration on: keys written from now on lapse with it. */
  registeredUntil(lapsesAt: number): void {
    this.lapsesAt = lapsesAt;
  }

  async add(member: Member): Promise<void> {
    await this.write(this.own, (batch) => batch.hset(this.own, member.id, identity(member)));
  }

  /** Forgets a connection of this node and its memberships of `rooms`. */
  async remove(id: ConnectionId, rooms: readonly RoomName[]): Promise<void> {
    const batch = this.options.redis.multi().hdel(this.own, id);
    for (const room of rooms) batch.hdel(this.roomKey(room), id);
    await exec(batch);
  }

  async joinRoom(member: Member, room: RoomName): Promise<void> {
    const key = this.roomKey(room);
    await this.write(key, (batch) => batch.hset(key, member.id, identity(member)));
  }

  async leaveRoom(id: ConnectionId, room: RoomName): Promise<void> {
    await this.options.redis.hdel(this.roomKey(room), id);
  }

  /** Rewrites a connection's identity wherever this node lists it; every key it touches expires. */
  async rename(connection: Connection): Promise<void> {
    const value = identity(connection);
    const batch = this.options.redis.multi();
    // A key that vanished (Redis restarted, the node's registration lapsed) is created again here,
    // and must lapse with the node like every other key it writes.
    for (const key of [this.own, ...connection.rooms.map((room) => this.roomKey(room))]) {
      batch.hset(key, connection.id, value).pexpireat(key, this.lapsesAt);
    }
    await exec(batch);
  }

  /**
   * Makes this node's entries exactly `current()`, in one transaction: after an outage (writes
   * failed) or a Redis restart (data lost). `current` is read when the transaction is queued, so
   * a leave that follows is ordered after it. Room keys of rooms the node left expire unrefreshed.
   */
  async resync(current: () => readonly Connection[]): Promise<void> {
    const connections = current();
    const byRoom = new Map<RoomName, Connection[]>();
    for (const connection of connections) {
      for (const room of connection.rooms) byRoom.set(room, [...(byRoom.get(room) ?? []), connection]);
    }
    const batch = this.options.redis.multi();
    for (const [key, members] of [
      [this.own, connections] as const,
      ...[...byRoom].map(([room, members]) => [this.roomKey(room), members] as const),
    ]) {
      batch.del(key);
      for (let i = 0; i < members.length; i += 1000) {
        batch.hset(key, ...members.slice(i, i + 1000).flatMap((member) => [member.id, identity(member)]));
      }
      if (members.length > 0) batch.pexpireat(key, this.lapsesAt);
    }
    await exec(batch);
  }

  /**
   * Forgets this node: its connections, its rooms' members and its mark (one slot, one
   * transaction), then its registration; resolves with how many connections it held.
   */
  async clear(rooms: readonly RoomName[]): Promise<number> {
    const { redis, keys, nodeId } = this.options;
    const batch = redis
      .multi()
      .hlen(this.own)
      .del(this.own, keys.alive(nodeId), ...rooms.map((room) => this.roomKey(room)));
    const results = (await batch.exec()) ?? [];
    await redis.zrem(keys.nodes, nodeId);
    return Number(results[0]?.[1] ?? 0);
  }

  /** Who is in `room` on every live node, at most `cap`, and whether there are more. */
  async members(room: RoomName, cap: number): Promise<MemberList> {
    const { redis, keys } = this.options;
    const members: Identity[] = [];
    for (const node of await redis.zrangebyscore(keys.nodes, Date.now(), '+inf')) {
      let cursor = '0';
      do {
        const [next, flat] = await redis.hscan(keys.roomMembers(node, room), cursor, 'COUNT', Math.min(cap + 1, 1000));
        cursor = next;
        for (let i = 1; i < flat.length; i += 2) members.push(JSON.parse(flat[i] as string) as Identity);
        if (members.length > cap) return { members: members.slice(0, cap), truncated: true };
      } while (cursor !== '0');
    }
    return { members, truncated: false };
  }

  /** Every connection of every live node. */
  async connections(): Promise<ConnectionId[]> {
    const { redis, keys } = this.options;
    const ids = new Set<ConnectionId>();
    for (const node of await redis.zrangebyscore(keys.nodes, Date.now(), '+inf')) {
      for (const id of await redis.hkeys(keys.connections(node))) ids.add(id as ConnectionId);
    }
    return [...ids];
  }

  roomKey(room: RoomName): string {
    return this.options.keys.roomMembers(this.options.nodeId, room);
  }

  /** One write and the expiry of a key that may be new, together. */
  private async write(key: string, command: (batch: ReturnType<RedisClient['multi']>) => unknown): Promise<void> {
    const batch = this.options.redis.multi();
    command(batch);
    await exec(batch.pexpireat(key, this.lapsesAt));
  }
}

async function exec(batch: ReturnType<RedisClient['multi']>): Promise<void> {
  const results = (await batch.exec()) ?? [];
  const failed = results.find(([error]) => error !== null);
  if (failed !== undefined) throw failed[0];
}
