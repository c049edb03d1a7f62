import { ClientError, type ConnectionId, type InboundFrame } from '../domain/index.js';
import type { BroadcastMessage, BroadcastResult } from './BroadcastMessage.js';
import { parseClientFrame } from './parseClientFrame.js';
import type { RejectUnknownAction } from './RejectUnknownAction.js';

export type RouteResult = BroadcastResult | { readonly kind: 'rejected'; readonly error: ClientError };

/** The routes of the protocol, the names API Gateway's route keys carry. */
export const Routes = { sendMessage: 'sendMessage' } as const;

/**
 * Maps one client frame to its use case, as API Gateway's route selection does on AWS:
 * `sendMessage` broadcasts, anything else is rejected to its sender alone.
 */
export class ActionRouter {
  constructor(
    private readonly broadcast: BroadcastMessage,
    private readonly reject: RejectUnknownAction,
  ) {}

  async route(sender: ConnectionId, frame: InboundFrame): Promise<RouteResult> {
    const parsed = parseClientFrame(frame);
    if (parsed instanceof ClientError) {
      return { kind: 'rejected', error: await this.reject.execute(sender, parsed) };
    }
    if (parsed.action === Routes.sendMessage) {
      return this.broadcast.execute({ sender, data: parsed.body.data });
    }
    return { kind: 'rejected', error: await this.reject.execute(sender) };
  }
}
