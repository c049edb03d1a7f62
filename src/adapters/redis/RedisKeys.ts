/**
 * Every key and channel name of the cluster, all under one prefix so that several chats (or
 * tests) can share a Redis and a clean shutdown can be checked by listing the prefix. Every key
 * expires on its own when the nodes that refresh it stop doing so.
 *
 * - `<p>nodes`: sorted set, node id scored by the time (epoch ms) its registration lapses.
 * - `<p>node:<id>:connections`: hash of the connection ids that node holds; it expires with the
 *   node's registration unless the node's heartbeat refreshes it.
 * - channel `<p>broadcast`: every node publishes the broadcasts of its clients there.
 */
export class RedisKeys {
  constructor(readonly prefix = 'chat:') {}

  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  connections(nodeId: string): string {
    return `${this.prefix}node:${nodeId}:connections`;
  }

  get broadcastChannel(): string {
    return `${this.prefix}broadcast`;
  }
}
