import { type ConnectionId, type ConnectionRepository, identityOf } from '../domain/index.js';
import type { Fanout } from './Fanout.js';

/**
 * A client disconnected (or was found dead): it leaves the chat and every room it was in, and
 * those rooms hear it left. Leaving twice is harmless.
 */
export class LeaveChat {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly fanout: Fanout,
  ) {}

  async execute(id: ConnectionId): Promise<void> {
    const removed = await this.connections.remove(id);
    if (removed === undefined) return;
    const member = identityOf(removed);
    for (const room of removed.rooms) await this.fanout.presence({ room, event: 'leave', member, subject: id });
  }
}
