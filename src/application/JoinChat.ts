import type { ConnectionId, ConnectionRepository } from '../domain/index.js';

/** A client connected: it becomes part of every later broadcast's audience. */
export class JoinChat {
  constructor(private readonly connections: ConnectionRepository) {}

  async execute(id: ConnectionId): Promise<void> {
    await this.connections.add(id);
  }
}
