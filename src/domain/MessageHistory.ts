import type { MessageDraft } from './ChatEvent.js';
import type { ChatMessage } from './ChatMessage.js';
import type { RoomName } from './RoomName.js';

/** A page of a room's stored messages, oldest first. */
export interface HistoryPage {
  readonly messages: readonly ChatMessage[];
  /**
   * False when messages that came after `after` are gone (retention dropped them), or may be:
   * the history has no record of the room from as far back as `after`.
   */
  readonly complete: boolean;
}

export interface HistoryQuery {
  /**
   * Messages after this id; the latest `limit` when absent. It is read as a place in the room's
   * numbering, whichever room gave it.
   */
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
   * unique within a room (an adapter may make them unique across rooms too, none may rely on it)
   * and sort as strings in the order of the appends.
   */
  append(draft: MessageDraft): Promise<ChatMessage>;

  /**
   * The room's messages after `after` (or the latest), at most `limit`, oldest first: always a
   * prefix of what the room has received, never a message while one before it is still being
   * stored. An `after` past the room's newest id (a newer room's id, an id no room gave yet) gets
   * nothing, complete; one from before the history's record of the room begins (an older room's
   * id, or the room's own from before its history wholly expired or the store restarted) gets
   * what is kept, not complete.
   */
  read(room: RoomName | null, query: HistoryQuery): Promise<HistoryPage>;
}
