/**
 * Carries a broadcast to the other nodes of a chat that runs as several processes: once per
 * message, whatever the number of connections. Each node then delivers it to its own audience.
 */
export interface BroadcastRelay {
  /**
   * Hands `frame` on to every other node. Frames relayed by one caller arrive in call order,
   * each once. Resolves when the frame is sent or held for sending; rejects with
   * `PeersUnreachableError` when it can be neither.
   */
  relay(frame: string): Promise<void>;
}

/** The other nodes cannot be reached and no more frames can be held for them. */
export class PeersUnreachableError extends Error {
  readonly code = 'PEERS_UNREACHABLE';

  constructor(detail: string) {
    super(`the other chat nodes are unreachable: ${detail}`);
  }
}
