import {
  type ConnectionId,
  type ConnectionRepository,
  type ConnectOptions,
  guestName,
  type Identity,
} from '../domain/index.js';

/**
 * A client connected: it becomes part of every later global broadcast's audience, in no room
 * yet, in the format it chose. A verified identity names it (and its name cannot be changed);
 * otherwise the name it asked for, or a guest name.
 */
export class JoinChat {
  constructor(private readonly connections: ConnectionRepository) {}

  async execute(id: ConnectionId, options: ConnectOptions, verified?: Identity): Promise<void> {
    const { format } = options;
    if (verified !== undefined) {
      const { name, user } = verified;
      await this.connections.add({ id, format, name, nameLocked: true, ...(user === undefined ? {} : { user }) });
      return;
    }
    await this.connections.add({ id, format, name: options.name ?? guestName(id), nameLocked: false });
  }
}
