import {
  type ChatMetrics,
  ClientError,
  type Connection,
  type ConnectionId,
  type ConnectionRepository,
  DEFAULT_FORMAT,
  type FrameAdmission,
  guestName,
  type MessageGateway,
  NO_RATE_LIMIT,
  type RateLimit,
  RateLimitedError,
  rateLimited,
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

export interface RouterOptions {
  /** Each connection's frame rate; over it, a frame is dropped and answered `Too many messages`. */
  readonly rateLimit: RateLimit;
  /** Told of every frame's route and of every frame over the limit. */
  readonly metrics?: ChatMetrics;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
}

/**
 * Maps one client frame to its use case, as API Gateway's route selection does on AWS, and is
 * the one place that does, on every runtime shape. Every frame is first charged to its sender's
 * rate limit: over it, the frame is dropped and answered, and a sender that keeps flooding is
 * disconnected. A frame that names no route is rejected to its sender alone. Use cases answer the
 * sender themselves; when one fails for a reason that is not the client's, the router tells the
 * sender and rethrows for the caller to log.
 */
export class ActionRouter {
  private readonly routes: ReadonlyMap<string, ActionHandler>;

  constructor(
    routes: RouteTable,
    private readonly connections: ConnectionRepository,
    private readonly gateway: MessageGateway,
    private readonly reject: RejectUnknownAction,
    private readonly replies: Replies,
    private readonly options: RouterOptions = { rateLimit: NO_RATE_LIMIT },
  ) {
    this.routes = new Map(Object.entries(routes));
  }

  async route(id: ConnectionId, text: string): Promise<void> {
    let sender: Connection = anonymous(id);
    try {
      const { connection, verdict } = await this.admit(id);
      sender = connection ?? sender;
      if (verdict !== 'allowed') {
        this.options.metrics?.rateLimited(verdict === 'cut');
        await this.replies.error(sender, new RateLimitedError());
        if (verdict === 'cut') await this.gateway.disconnect(id);
        return;
      }
      const parsed = parseClientFrame(text);
      const handler = parsed instanceof ClientError ? undefined : this.routes.get(parsed.action);
      this.options.metrics?.frame(handler === undefined ? 'invalid' : (parsed as { action: string }).action);
      if (parsed instanceof ClientError) return await this.reject.execute(sender, parsed);
      if (handler === undefined) return await this.reject.execute(sender);
      await handler.execute(sender, parsed.body);
    } catch (error) {
      await this.replies.failure(sender, error).catch(() => {
        // The gateway itself is failing; the caller logs the original error.
      });
      throw error;
    }
  }

  private async admit(id: ConnectionId): Promise<FrameAdmission> {
    const { rateLimit, now = Date.now } = this.options;
    if (rateLimited(rateLimit)) return this.connections.admit(id, rateLimit, now());
    return { connection: await this.connections.get(id), verdict: 'allowed' };
  }
}

/** A sender the repository does not know (its record expired or was never written): the defaults. */
function anonymous(id: ConnectionId): Connection {
  return { id, format: DEFAULT_FORMAT, name: guestName(id), nameLocked: false, rooms: [] };
}
