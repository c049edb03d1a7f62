import { ClientError, type ConnectionId, type MessageGateway } from '../domain/index.js';
import type { BroadcastMessage } from './BroadcastMessage.js';
import { failureReply } from './failureReply.js';
import { parseClientFrame } from './parseClientFrame.js';
import type { RejectUnknownAction } from './RejectUnknownAction.js';

/**
 * The routes of the protocol: the actions a frame may name, which are also the route keys of
 * the API Gateway WebSocket API (each with its integration) beside `$connect`, `$disconnect`
 * and `$default`.
 */
export const MESSAGE_ROUTES = ['sendMessage'] as const;

export type MessageRoute = (typeof MESSAGE_ROUTES)[number];

/**
 * Maps one client frame to its use case, as API Gateway's route selection does on AWS, and is
 * the one place that does, on every runtime shape: `sendMessage` broadcasts, anything else is
 * rejected to its sender alone. Use cases answer the sender themselves; when one fails for a
 * reason that is not the client's, the router tells the sender and rethrows for the caller to
 * log.
 */
export class ActionRouter {
  constructor(
    private readonly broadcast: BroadcastMessage,
    private readonly reject: RejectUnknownAction,
    private readonly gateway: MessageGateway,
  ) {}

  async route(sender: ConnectionId, text: string): Promise<void> {
    try {
      await this.dispatch(sender, text);
    } catch (error) {
      await this.tellSender(sender, error);
      throw error;
    }
  }

  private dispatch(sender: ConnectionId, text: string): Promise<void> {
    const parsed = parseClientFrame(text);
    if (parsed instanceof ClientError) return this.reject.execute(sender, parsed);
    switch (parsed.action as MessageRoute) {
      case 'sendMessage':
        return this.broadcast.execute({ sender, data: parsed.body.data });
      default:
        return this.reject.execute(sender);
    }
  }

  /** Best effort: the original failure is what the caller must hear about. */
  private async tellSender(sender: ConnectionId, error: unknown): Promise<void> {
    try {
      await this.gateway.post(sender, failureReply(error));
    } catch {
      // The gateway itself is failing; the caller logs the original error.
    }
  }
}
