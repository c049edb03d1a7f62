import type { ChatMessage } from './ChatMessage.js';
import type { ConnectionId } from './ConnectionId.js';
import type { Identity } from './Member.js';
import type { RoomName } from './RoomName.js';

/** A message before the chat has given it an id: everything but its place in the room. */
export type MessageDraft = Omit<ChatMessage, 'id'>;

/** Someone joined or left a room: the room's json members are told. */
export interface PresenceChange {
  readonly room: RoomName;
  readonly event: 'join' | 'leave';
  readonly member: Identity;
  /** The connection the change is about, which is not told of its own change. */
  readonly subject: ConnectionId;
}
