/**
 * Frames a sender receives when its message failed for a reason that is not its own. Every
 * runtime shape answers with the same text.
 */

/** The frame could not be handled: the message may not have reached everyone. */
export const INTERNAL_ERROR_REPLY = 'Error: Internal server error, your message may not have reached everyone';

/** The message reached this node's clients but not the other nodes of the cluster. */
export const PEERS_UNREACHABLE_REPLY =
  'Error: The other chat servers are unreachable, your message reached only the clients on this server';
