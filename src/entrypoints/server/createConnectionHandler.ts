import type { ChatConnectionHandler } from '../../adapters/ws/index.js';
import type { ActionRouter, JoinChat, LeaveChat } from '../../application/index.js';
import { type MessageGateway, PeersUnreachableError } from '../../domain/index.js';
import { describeError, log } from '../log.js';

/** What a sender receives when its frame failed for a reason that is not its own. */
export const INTERNAL_ERROR_REPLY = 'Error: Internal server error, your message was not delivered';

/** What a sender receives when its message reached this node's clients but not the other nodes. */
export const PEERS_UNREACHABLE_REPLY =
  'Error: The other chat servers are unreachable, your message reached only the clients on this server';

interface Dependencies {
  readonly join: JoinChat;
  readonly leave: LeaveChat;
  readonly router: ActionRouter;
  readonly gateway: MessageGateway;
}

/** Connects the socket server's events to the use cases. */
export function createConnectionHandler({ join, leave, router, gateway }: Dependencies): ChatConnectionHandler {
  return {
    opened: (id) => join.execute(id),
    closed: (id) => leave.execute(id),
    async received(id, frame) {
      try {
        await router.route(id, frame);
      } catch (error) {
        // An infrastructure failure: the sender hears of it, the log gets the cause, no body.
        log('error', 'frame.failed', { connectionId: id, ...describeError(error) });
        await gateway.post(id, error instanceof PeersUnreachableError ? PEERS_UNREACHABLE_REPLY : INTERNAL_ERROR_REPLY);
      }
    },
  };
}
