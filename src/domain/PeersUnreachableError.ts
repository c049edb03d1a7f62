/**
 * A broadcast could not be handed to the other nodes of the chat: they cannot be reached and no
 * more frames can be held for them. This node's own audience still received it.
 */
export class PeersUnreachableError extends Error {
  readonly code = 'PEERS_UNREACHABLE';

  constructor(detail: string) {
    super(`the other chat nodes are unreachable: ${detail}`);
  }
}
