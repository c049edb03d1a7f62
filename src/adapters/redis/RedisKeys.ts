import type { RoomName } from '../../domain/index.js';

/**
 * Every key and channel name of the cluster, all under one prefix so that several chats (or
 * tests) can share a Redis and a clean shutdown can be checked by listing the prefix. Every key
 * expires on its own when the nodes that refresh it stop doing so.
 *
 * Per node (refreshed by its heartbeat, expiring with its registration):
 * - `<p>nodes`: sorted set, node id scored by the time (epoch ms) its registration lapses;
 * - `<p>node:<id>:connections`: hash, connection id to its identity (JSON);
 * - `<p>node:<id>:room:<room>`: hash, the node's members of that room to their identities.
 *
 * Per room (refreshed by each message, expiring after the history's maximum age), with the room
 * in a hash tag so that one room's keys and channel share a Redis Cluster slot:
 * - `<p>{r:<room>}:seq`: hash, the counter that numbers the room's messages and its epoch;
 * - `<p>{r:<room>}:log`: stream, the room's history;
 * - `<p>{r:<room>}:origins`: hash, the last sequence stored from each node (a resend is dropped);
 * - channel `<p>{r:<room>}`: the room's messages and presence changes.
 * The global audience is the room `*`, which no client can name.
 */
export class RedisKeys {
  constructor(readonly prefix = 'chat:') {}

  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  connections(nodeId: string): string {
    return `${this.prefix}node:${nodeId}:connections`;
  }

  roomMembers(nodeId: string, room: RoomName): string {
    return `${this.prefix}node:${nodeId}:room:${room}`;
  }

  roomSequence(room: RoomName | null): string {
    return `${this.room(room)}:seq`;
  }

  roomLog(room: RoomName | null): string {
    return `${this.room(room)}:log`;
  }

  roomOrigins(room: RoomName | null): string {
    return `${this.room(room)}:origins`;
  }

  roomChannel(room: RoomName | null): string {
    return this.room(room);
  }

  private room(room: RoomName | null): string {
    return `${this.prefix}{r:${room ?? '*'}}`;
  }
}
