import type { MessageDraft, PresenceChange } from './ChatEvent.js';
import type { ChatMessage } from './ChatMessage.js';
import type { ConnectionId } from './ConnectionId.js';
import type { RoomName } from './RoomName.js';

/** What became of one delivery. */
export type Delivery = 'delivered' | 'gone';

/** What a multi-process chat carries between its processes. */
export type Publication = { readonly kind: 'message'; readonly draft: MessageDraft } | PresenceNotice;

export interface PresenceNotice {
  readonly kind: 'presence';
  readonly change: PresenceChange;
}

/** A publication as each process of the chat receives it. */
export type RelayedEvent =
  | {
      readonly kind: 'message';
      readonly message: ChatMessage;
      /** This process published it, and gave it to its own text-format connections then. */
      readonly own: boolean;
    }
  | PresenceNotice
  | MessagesLost;

/**
 * Messages of a room this process could neither receive nor recover from the history: its
 * members are told rather than left to miss them silently.
 */
export interface MessagesLost {
  readonly kind: 'lost';
  readonly room: RoomName | null;
  /** How many, when known. */
  readonly count: number | undefined;
}

/** Delivers frames to connected clients, whatever carries them. */
export interface MessageGateway {
  /**
   * Sends `frame` to `to` as one text frame, verbatim. Answers `'gone'` when that connection no
   * longer exists (it never fails for that), and fails only on an infrastructure failure.
   * The answer comes at once where it is known without waiting (a socket of this process, the
   * hot path of a broadcast), else as a promise.
   */
  post(to: ConnectionId, frame: string): Delivery | Promise<Delivery>;

  /**
   * Closes `to` for breaking the chat's rules (1008 where the transport lets the server choose
   * the code). Harmless for a connection that is already gone.
   */
  disconnect(to: ConnectionId): Promise<void>;

  /**
   * Present only where the chat spans several processes that each hold part of the audience.
   * Hands `publication` to every process, this one included, once, whatever the number of
   * connections: a message gets its room's next id there (and is stored where history is kept),
   * and every process delivers each room's publications to its own audience in id order.
   * Publications of one process arrive in call order. Resolves once sent, or held while the
   * others cannot be reached (in order, bounded, sent when they can); rejects with
   * `PeersUnreachableError` when it can be neither.
   */
  publish?(publication: Publication): Promise<void>;
}
