import {
  ClientError,
  type Connection,
  InvalidMessageDataError,
  identityOf,
  NotAMemberError,
  parseRoomName,
  type RoomName,
} from '../domain/index.js';
import type { ActionBody, ActionHandler } from './ActionHandler.js';
import type { Fanout } from './Fanout.js';
import type { Replies } from './Replies.js';

/**
 * `sendMessage`: `data` to every connection (no `room`), or to every member of `room`, the
 * sender included; the sender must be a member of that room. The chat stamps who sent it and
 * when; nothing the client sends can set them.
 */
export class BroadcastMessage implements ActionHandler {
  constructor(
    private readonly fanout: Fanout,
    private readonly replies: Replies,
    private readonly now: () => number = Date.now,
  ) {}

  async execute(sender: Connection, { room, data }: ActionBody): Promise<void> {
    if (typeof data !== 'string') return this.replies.error(sender, new InvalidMessageDataError());
    const audience = audienceOf(sender, room);
    if (audience instanceof ClientError) return this.replies.error(sender, audience);
    const { id, format } = sender;
    await this.fanout.message({ room: audience, from: identityOf(sender), ts: this.now(), data }, { id, format });
  }
}

/** The room a message goes to (null: everyone), or why the sender may not send there. */
function audienceOf(sender: Connection, room: unknown): RoomName | null | ClientError {
  if (room === undefined || room === null) return null;
  const name = parseRoomName(room);
  if (name instanceof ClientError) return name;
  return sender.rooms.includes(name) ? name : new NotAMemberError(name);
}
