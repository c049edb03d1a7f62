import type { Identity } from './Member.js';
import type { RoomName } from './RoomName.js';

/**
 * One message as the chat stamps it. `id` is unique within its room, where ids sort (as
 * strings) in the order the room received the messages: a message is known by room and id. `from` and `ts` are the server's, never the
 * client's.
 */
export interface ChatMessage {
  readonly id: string;
  /** The room, or null for the whole chat (the original protocol's audience). */
  readonly room: RoomName | null;
  readonly from: Identity;
  /** When the chat received it, in epoch milliseconds. */
  readonly ts: number;
  readonly data: string;
}
