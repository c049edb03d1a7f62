import type { ConnectionId } from './ConnectionId.js';

/** What became of one delivery. */
export type Delivery = 'delivered' | 'gone';

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
   * Present only where the chat spans several processes that each hold part of the audience:
   * hands a broadcast `frame` to every other process once, whatever the number of connections,
   * and each delivers it to its own audience. Frames relayed by one process arrive in call
   * order, each once. Resolves when the frame is sent or held for sending; rejects with
   * `PeersUnreachableError` when it can be neither.
   */
  relay?(frame: string): Promise<void>;
}
