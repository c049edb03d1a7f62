import {
  ClientError,
  type Connection,
  InvalidCursorError,
  InvalidLimitError,
  type MessageHistory,
  NotAMemberError,
  parseMessageId,
  parseRoomName,
  type RoomName,
} from '../domain/index.js';
import type { ActionBody, ActionHandler } from './ActionHandler.js';
import { historyEvent } from './frames.js';
import type { Replies } from './Replies.js';

/** Most messages one `history` reply carries, and how many when the client does not say. */
export const HISTORY_PAGE = { max: 100, default: 50 } as const;

/**
 * `history`: a member of `room` (anyone, for the global audience) gets the room's stored
 * messages after `after`, or the latest `limit`, oldest first, and whether retention kept all
 * that followed `after`. A client resumes after a reconnect with the last id it saw.
 */
export class ReadHistory implements ActionHandler {
  constructor(
    private readonly history: MessageHistory,
    private readonly replies: Replies,
  ) {}

  async execute(sender: Connection, body: ActionBody): Promise<void> {
    const request = parseRequest(sender, body);
    if (request instanceof ClientError) return this.replies.error(sender, request);
    const { room, after, limit } = request;
    const page = await this.history.read(room, after === undefined ? { limit } : { after, limit });
    await this.replies.send(sender, historyEvent(room, page.messages, page.complete));
  }
}

function parseRequest(
  sender: Connection,
  body: ActionBody,
): { room: RoomName | null; after: string | undefined; limit: number } | ClientError {
  let room: RoomName | null = null;
  if (body.room !== undefined && body.room !== null) {
    const name = parseRoomName(body.room);
    if (name instanceof ClientError) return name;
    if (!sender.rooms.includes(name)) return new NotAMemberError(name);
    room = name;
  }
  const { after, limit = HISTORY_PAGE.default } = body;
  if (after !== undefined && parseMessageId(after) === undefined) return new InvalidCursorError();
  if (typeof limit !== 'number' || !Number.isInteger(limit) || limit < 1 || limit > HISTORY_PAGE.max) {
    return new InvalidLimitError(HISTORY_PAGE.max);
  }
  return { room, after: after as string | undefined, limit };
}
