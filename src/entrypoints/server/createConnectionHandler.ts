import type { ChatConnectionHandler } from '../../adapters/ws/index.js';
import type { ActionRouter, JoinChat, LeaveChat } from '../../application/index.js';
import { type MessageGateway, PeersUnreachableError, textFrame } from '../../domain/index.js';
import { describeError, log } from '../log.js';
import { INTERNAL_ERROR_REPLY, PEERS_UNREACHABLE_REPLY } from '../replies.js';

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
    async received(id, text) {
      try {
        await router.route(id, textFrame(text));
      } catch (error) {
        // An infrastructure failure: the sender hears of it, the log gets the cause, no body.
        log('error', 'frame.failed', { connectionId: id, ...describeError(error) });
        await gateway.post(id, error instanceof PeersUnreachableError ? PEERS_UNREACHABLE_REPLY : INTERNAL_ERROR_REPLY);
      }
    },
  };
}
