import type { ChatConnectionHandler } from '../../adapters/ws/index.js';
import type { ActionRouter, JoinChat, LeaveChat } from '../../application/index.js';
import { describeError, log } from '../log.js';

interface Dependencies {
  readonly join: JoinChat;
  readonly leave: LeaveChat;
  readonly router: ActionRouter;
}

/**
 * Connects the socket server's events to the core. The router answers the client, failures
 * included; what is left here is the log line of a failure, with its cause and never a body.
 */
export function createConnectionHandler({ join, leave, router }: Dependencies): ChatConnectionHandler {
  return {
    opened: (id) => join.execute(id, { format: 'text', name: undefined }),
    closed: (id) => leave.execute(id),
    async received(id, text) {
      try {
        await router.route(id, text);
      } catch (error) {
        log('error', 'frame.failed', { connectionId: id, ...describeError(error) });
      }
    },
  };
}
