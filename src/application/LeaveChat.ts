import type { ConnectionId, ConnectionRepository } from '../domain/index.js';

/** A client disconnected (or was found dead): it leaves the audience. Leaving twice is harmless. */
export class LeaveChat {
  constructor(private readonly connections: ConnectionRepository) {}

  async execute(id: ConnectionId): Promise<void> {
    await this.connections.remove(id);
  }
}
