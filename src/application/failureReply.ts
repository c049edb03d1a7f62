import { PeersUnreachableError, RecipientsUnreachedError } from '../domain/index.js';

/** The frame could not be handled: the message may not have reached everyone. */
export const INTERNAL_ERROR_REPLY = 'Error: Internal server error, your message may not have reached everyone';

/** The message reached this node's clients but not the other nodes of the cluster. */
export const PEERS_UNREACHABLE_REPLY =
  'Error: The other chat servers are unreachable, your message reached only the clients on this server';

/** What a text-format sender is told when its frame failed for a reason that is not its own. */
export function failureReply(error: unknown): string {
  if (error instanceof RecipientsUnreachedError) return unreachedReply(error.unreached);
  return error instanceof PeersUnreachableError ? PEERS_UNREACHABLE_REPLY : INTERNAL_ERROR_REPLY;
}

/** Every other recipient was tried, and these many could not be reached even after retries. */
export function unreachedReply(unreached: number): string {
  return `Error: Your message could not be delivered to ${unreached} recipient${unreached === 1 ? '' : 's'}`;
}

/** The `code` of the json `error` event for the same failure. */
export function failureCode(error: unknown): string {
  return error instanceof PeersUnreachableError || error instanceof RecipientsUnreachedError ? error.code : 'INTERNAL';
}
