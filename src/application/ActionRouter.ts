import {
  ClientError,
  type Connection,
  type ConnectionId,
  type ConnectionRepository,
  DEFAULT_FORMAT,
  guestName,
} from '../domain/index.js';
import type { ActionHandler } from './ActionHandler.js';
import { parseClientFrame } from './parseClientFrame.js';
import type { RejectUnknownAction } from './RejectUnknownAction.js';
import type { Replies } from './Replies.js';

/**
 * The routes of the protocol: the actions a frame may name, which are also the route keys of
 * the API Gateway WebSocket API (each with its integration) beside `$connect`, `$disconnect`
 * and `$default`.
 */
export const MESSAGE_ROUTES = ['sendMessage', 'joinRoom', 'leaveRoom', 'setName', 'listMembers', 'history'] as const;

export type MessageRoute = (typeof MESSAGE_ROUTES)[number];

export type RouteTable = Readonly<Record<MessageRoute, ActionHandler>>;

/**
 * Maps one client frame to its use case, as API Gateway's route selection does on AWS, and is
 * the one place that does, on every runtime shape. A frame that names no route is rejected to
 * its sender alone. Use cases answer the sender themselves; when one fails for a reason that is
 * not the client's, the router tells the sender and rethrows for the caller to log.
 */
export class ActionRouter {
  private readonly routes: ReadonlyMap<string, ActionHandler>;

  constructor(
    routes: RouteTable,
    private readonly connections: ConnectionRepository,
    private readonly reject: RejectUnknownAction,
    private readonly replies: Replies,
  ) {
    this.routes = new Map(Object.entries(routes));
  }

  async route(id: ConnectionId, text: string): Promise<void> {
    let sender: Connection = anonymous(id);
    try {
      sender = (await this.connections.get(id)) ?? sender;
      const parsed = parseClientFrame(text);
      if (parsed instanceof ClientError) return await this.reject.execute(sender, parsed);
      const handler = this.routes.get(parsed.action);
      if (handler === undefined) return await this.reject.execute(sender);
      await handler.execute(sender, parsed.body);
    } catch (error) {
      await this.replies.failure(sender, error).catch(() => {
        // The gateway itself is failing; the caller logs the original error.
      });
      throw error;
    }
  }
}

/** A sender the repository does not know (its record expired or was never written): the defaults. */
function anonymous(id: ConnectionId): Connection {
  return { id, format: DEFAULT_FORMAT, name: guestName(id), nameLocked: false, rooms: [] };
}
