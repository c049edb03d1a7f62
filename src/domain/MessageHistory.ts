import type { MessageDraft } from './ChatEvent.js';
import type { ChatMessage } from './ChatMessage.js';
import type { RoomName } from './RoomName.js';

/** A page of a room's stored messages, oldest first. */
export interface HistoryPage {
  readonly messages: readonly ChatMessage[];
  /** False when retention has dropped messages that came after `after`. */
  readonly complete: boolean;
}

export interface HistoryQuery {
  /** Messages after this id; the latest `limit` when absent. */
  readonly after?: string;
  readonly limit: number;
}

/**
 * Where each room's messages are numbered and kept, within the retention: the last N messages
 * and at most a maximum age, whichever keeps fewer. The global audience is the room `null`.
 */
export interface MessageHistory {
  /**
   * Gives `draft` the room's next id and stores it; resolves with the stored message. Ids are
   * unique, and within a room they sort as strings in the order of the appends.
   */
  append(draft: MessageDraft): Promise<ChatMessage>;

  /** The room's messages after `after` (or the latest), at most `limit`, oldest first. */
  read(room: RoomName | null, query: HistoryQuery): Promise<HistoryPage>;
}
