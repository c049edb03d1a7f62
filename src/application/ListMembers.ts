import {
  ClientError,
  type Connection,
  type ConnectionRepository,
  NotAMemberError,
  parseRoomName,
} from '../domain/index.js';
import type { ActionBody, ActionHandler } from './ActionHandler.js';
import type { ChatLimits } from './ChatLimits.js';
import type { Replies } from './Replies.js';

/** `listMembers`: a member of `room` gets who is in it, across the whole chat, capped. */
export class ListMembers implements ActionHandler {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly replies: Replies,
    private readonly limits: Pick<ChatLimits, 'memberListCap'>,
  ) {}

  async execute(sender: Connection, body: ActionBody): Promise<void> {
    const room = parseRoomName(body.room);
    if (room instanceof ClientError) return this.replies.error(sender, room);
    if (!sender.rooms.includes(room)) return this.replies.error(sender, new NotAMemberError(room));
    const { members, truncated } = await this.connections.members(room, this.limits.memberListCap);
    await this.replies.send(sender, { type: 'members', room, members, truncated });
  }
}
