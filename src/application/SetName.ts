import {
  ClientError,
  type Connection,
  type ConnectionRepository,
  NameLockedError,
  parseDisplayName,
} from '../domain/index.js';
import type { ActionBody, ActionHandler } from './ActionHandler.js';
import type { Replies } from './Replies.js';

/** `setName`: the display name later messages and member lists show, unless a verified token set it. */
export class SetName implements ActionHandler {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly replies: Replies,
  ) {}

  async execute(sender: Connection, body: ActionBody): Promise<void> {
    if (sender.nameLocked) return this.replies.error(sender, new NameLockedError());
    const name = parseDisplayName(body.name);
    if (name instanceof ClientError) return this.replies.error(sender, name);
    await this.connections.rename(sender.id, name);
    await this.replies.send(sender, { type: 'named', name });
  }
}
