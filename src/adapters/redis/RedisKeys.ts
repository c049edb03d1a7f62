/**
 * Every key and channel name of the cluster, all under one prefix so that several chats (or
 * tests) can share a Redis and a clean shutdown can be checked by listing the prefix.
 *
 * - `<p>directory`: hash, connection id to the id of the node that holds it.
 * - `<p>nodes`: set of node ids that have registered.
 * - `<p>node:<id>:alive`: the node's heartbeat, a key that expires.
 * - `<p>node:<id>:connections`: set of the connection ids that node holds.
 * - channels `<p>broadcast` (every node) and `<p>node:<id>` (one node).
 */
export class RedisKeys {
  constructor(readonly prefix = 'chat:') {}

  get directory(): string {
    return `${this.prefix}directory`;
  }

  get nodes(): string {
    return `${this.prefix}nodes`;
  }

  alive(nodeId: string): string {
    return `${this.prefix}node:${nodeId}:alive`;
  }

  connections(nodeId: string): string {
    return `${this.prefix}node:${nodeId}:connections`;
  }

  get broadcastChannel(): string {
    return `${this.prefix}broadcast`;
  }

  nodeChannel(nodeId: string): string {
    return `${this.prefix}node:${nodeId}`;
  }
}
