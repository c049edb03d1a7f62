import {
  ClientError,
  type Connection,
  type ConnectionRepository,
  identityOf,
  NotAMemberError,
  parseRoomName,
} from '../domain/index.js';
import type { ActionBody, ActionHandler } from './ActionHandler.js';
import type { Fanout } from './Fanout.js';
import type { Replies } from './Replies.js';

/** `leaveRoom`: the sender stops being a member of `room`; it gets `left`, the room's json members a presence event. */
export class LeaveRoom implements ActionHandler {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly fanout: Fanout,
    private readonly replies: Replies,
  ) {}

  async execute(sender: Connection, body: ActionBody): Promise<void> {
    const room = parseRoomName(body.room);
    if (room instanceof ClientError) return this.replies.error(sender, room);
    if (!(await this.connections.leaveRoom(sender.id, room))) {
      return this.replies.error(sender, new NotAMemberError(room));
    }
    await this.replies.send(sender, { type: 'left', room });
    await this.fanout.presence({ room, event: 'leave', member: identityOf(sender), subject: sender.id });
  }
}
