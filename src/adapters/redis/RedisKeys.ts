import type { RoomName } from '../../domain/index.js';

/**
 * Every key and channel name of the cluster, all under one prefix so that several chats (or
 * tests) can share a Redis and a clean shutdown can be checked by listing the prefix. Every key
 * expires on its own when the nodes that refresh it stop doing so.
 *
 * Keys are grouped by hash tag (the part in braces) so that on a Redis Cluster every
 * transaction and script touches one slot: a node's keys are written, refreshed and purged
 * together, a room's keys and channel are numbered, stored and published together.
 *
 * - `<p>nodes`: sorted set, node id scored by the time (epoch ms) its registration lapses.
 *
 * Per node (refreshed by its heartbeat, expiring with its registration), tagged `{n:<id>}`:
 * - `<p>{n:<id>}:alive`: the node's mark in its own slot, so a shard that lost the node's keys
 *   is noticed even when the registration (on another shard) survived;
 * - `<p>{n:<id>}:connections`: hash, connection id to its identity (JSON);
 * - `<p>{n:<id>}:room:<room>`: hash, the node's members of that room to their identities.
 *
 * Per room (refreshed by each message, expiring after the history's maximum age), with the room
 * in a hash tag so that one room's keys and channel share a Redis Cluster slot:
 * - `<p>{r:<room>}:seq`: hash, the counter that numbers the room's messages and its epoch;
 * - `<p>{r:<room>}:log`: stream, the room's history;
 * - `<p>{r:<room>}:origins`: hash, the last sequence stored from each node (a resend is dropped);
 * - channel `<p>{r:<room>}`: the room's messages and presence changes (a shard channel on a
 *   Redis Cluster, so that a room's traffic stays on the shard that holds its history).
 * The global audience is the room `*`, which no client can name: one more channel.
 * The prefix must not hold a `{`, or it would become the hash tag.
 */
export class RedisKeys {
  constructor(readonly prefix = 'chat:') {
    if (prefix.includes('{')) throw new RangeError('a key prefix must not contain "{" (it would become the hash tag)');
  }

  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  alive(nodeId: string): string {
    return `${this.node(nodeId)}:alive`;
  }

  connections(nodeId: string): string {
    return `${this.node(nodeId)}:connections`;
  }

  roomMembers(nodeId: string, room: RoomName): string {
    return `${this.node(nodeId)}:room:${room}`;
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

  private node(nodeId: string): string {
    return `${this.prefix}{n:${nodeId}}`;
  }

  private room(room: RoomName | null): string {
    return `${this.prefix}{r:${room ?? '*'}}`;
  }
}
