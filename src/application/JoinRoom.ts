import {
  AlreadyJoinedError,
  ClientError,
  type Connection,
  type ConnectionRepository,
  identityOf,
  parseRoomName,
  TooManyRoomsError,
} from '../domain/index.js';
import type { ActionBody, ActionHandler } from './ActionHandler.js';
import type { ChatLimits } from './ChatLimits.js';
import type { Fanout } from './Fanout.js';
import type { Replies } from './Replies.js';

/** `joinRoom`: the sender becomes a member of `room`; it gets `joined`, the room's json members a presence event. */
export class JoinRoom implements ActionHandler {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly fanout: Fanout,
    private readonly replies: Replies,
    private readonly limits: Pick<ChatLimits, 'maxRoomsPerConnection'>,
  ) {}

  async execute(sender: Connection, body: ActionBody): Promise<void> {
    const room = parseRoomName(body.room);
    if (room instanceof ClientError) return this.replies.error(sender, room);
    const max = this.limits.maxRoomsPerConnection;
    switch (await this.connections.joinRoom(sender.id, room, max)) {
      case 'already-member':
        return this.replies.error(sender, new AlreadyJoinedError(room));
      case 'too-many-rooms':
        return this.replies.error(sender, new TooManyRoomsError(max));
      case 'unknown-connection':
        throw new Error('the connection has no record: it cannot join a room');
      case 'joined':
        await this.replies.send(sender, { type: 'joined', room });
        await this.fanout.presence({ room, event: 'join', member: identityOf(sender), subject: sender.id });
    }
  }
}
