import type { MessageRoute } from '../../application/index.js';

/** Every route key of the WebSocket API: those of `ROUTE_HANDLERS`. */
export type RouteKey = '$connect' | '$disconnect' | '$default' | MessageRoute;

/** The DynamoDB item and query actions the adapters call (no table-level or stream action). */
export type DynamoDbAction =
  | 'dynamodb:GetItem'
  | 'dynamodb:PutItem'
  | 'dynamodb:UpdateItem'
  | 'dynamodb:DeleteItem'
  | 'dynamodb:BatchWriteItem'
  | 'dynamodb:Query'
  | 'dynamodb:Scan';

/** What one route's function may do, and so which grants and settings the stack gives it. */
export interface RouteAccess {
  /** Actions on the connections table. */
  readonly connections: readonly DynamoDbAction[];
  /** Actions on the rooms table. */
  readonly rooms: readonly DynamoDbAction[];
  /** Posts to clients: the management endpoint and ManageConnections on this stage's connections. */
  readonly posts: boolean;
  /** Cuts a connection that keeps flooding: ManageConnections DELETE as well. */
  readonly disconnects: boolean;
  /** Delivers to an audience: takes the broadcast tuning (concurrency, page size). */
  readonly fansOut: boolean;
  /**
   * Hands an audience over the fan-out threshold to the fan-out function (asynchronous Invoke):
   * `Fanout.message`, which only BroadcastMessage calls. Presence events are delivered in place.
   */
  readonly handsOff: boolean;
}

/**
 * `ActionRouter.route`: charges the frame to its sender's rate limit, which also reads the sender's
 * record (`admit`: UpdateItem; GetItem when the limit is off), answers the sender (errors
 * included), and cuts a sender that keeps flooding (DeleteConnection).
 */
const ROUTER: Partial<RouteAccess> = {
  connections: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
  posts: true,
  disconnects: true,
};

/**
 * `Fanout.deliverTo`: pages through a room's members (Query) and posts to them; one reported gone
 * is removed (`remove`: DeleteItem of its row, BatchWriteItem of its memberships). The global
 * audience is a Scan instead, which only sendMessage adds.
 */
const FANOUT: Partial<RouteAccess> = {
  connections: ['dynamodb:DeleteItem'],
  rooms: ['dynamodb:Query', 'dynamodb:BatchWriteItem'],
  posts: true,
  fansOut: true,
};

/** The union of what the parts of a route's code do, actions sorted and each once. */
function access(...parts: Partial<RouteAccess>[]): RouteAccess {
  const union = (pick: (part: Partial<RouteAccess>) => readonly DynamoDbAction[] | undefined) =>
    [...new Set(parts.flatMap((part) => pick(part) ?? []))].sort();
  return {
    connections: union((part) => part.connections),
    rooms: union((part) => part.rooms),
    posts: parts.some((part) => part.posts === true),
    disconnects: parts.some((part) => part.disconnects === true),
    fansOut: parts.some((part) => part.fansOut === true),
    handsOff: parts.some((part) => part.handsOff === true),
  };
}

/**
 * Least privilege per route, read off what each route's use case calls in the DynamoDB adapters
 * (`DynamoDbConnectionRepository`, `DynamoDbMessageHistory`). Every route key of `ROUTE_HANDLERS`
 * needs an entry: a route's grants cannot be guessed, so a new route fails type-checking (a new
 * `MESSAGE_ROUTES` member) or synth (any other key) until it has one.
 */
export const ROUTE_ACCESS: Readonly<Record<RouteKey, RouteAccess>> = {
  // JoinChat: `add` (PutItem). It answers through its response and posts nothing.
  $connect: access({ connections: ['dynamodb:PutItem'] }),
  // LeaveChat: `remove` (DeleteItem, which returns the record; BatchWriteItem of the
  // memberships), then a presence event to each room it was in.
  $disconnect: access({ connections: ['dynamodb:DeleteItem'] }, FANOUT),
  // Any frame no route accepts: RejectUnknownAction answers the sender alone.
  $default: access(ROUTER),
  // BroadcastMessage: the history numbers (UpdateItem of the counter) and stores (PutItem) the
  // message, then the room's members get it, or every connection (Scan) when there is no room;
  // an audience over the fan-out threshold goes to the fan-out function instead.
  sendMessage: access(ROUTER, FANOUT, {
    connections: ['dynamodb:Scan'],
    rooms: ['dynamodb:UpdateItem', 'dynamodb:PutItem'],
    handsOff: true,
  }),
  // JoinRoom: `joinRoom` adds the room to the row (UpdateItem, taken back by UpdateItem if the
  // membership write fails) and writes the membership (PutItem), then tells the room.
  joinRoom: access(ROUTER, FANOUT, { connections: ['dynamodb:UpdateItem'], rooms: ['dynamodb:PutItem'] }),
  // LeaveRoom: `leaveRoom` takes the room off the row (UpdateItem) and deletes the membership
  // (BatchWriteItem), then tells the room.
  leaveRoom: access(ROUTER, FANOUT, { connections: ['dynamodb:UpdateItem'], rooms: ['dynamodb:BatchWriteItem'] }),
  // SetName: `rename` updates the row and each of its memberships (UpdateItem); no one is told.
  setName: access(ROUTER, { connections: ['dynamodb:UpdateItem'], rooms: ['dynamodb:UpdateItem'] }),
  // ListMembers: `members` queries the room's memberships.
  listMembers: access(ROUTER, { rooms: ['dynamodb:Query'] }),
  // ReadHistory: the counter (GetItem), then a Query of the room's messages.
  history: access(ROUTER, { rooms: ['dynamodb:GetItem', 'dynamodb:Query'] }),
};

/**
 * The fan-out function, which is no route: one share of a large broadcast, so sendMessage's
 * delivery without its cutting of a flooding sender (it has no sender to cut).
 */
export const FANOUT_ACCESS: RouteAccess = { ...ROUTE_ACCESS.sendMessage, disconnects: false };

/** An HTTP method of `@connections/{id}`: deliver, describe, close. */
export type ConnectionsMethod = 'POST' | 'GET' | 'DELETE';

/**
 * The `@connections` methods `access` is granted `execute-api:ManageConnections` on: POST to
 * post, DELETE as well to cut a client. No function describes a connection, so none has GET.
 */
export function connectionsMethodsOf(access: RouteAccess): readonly ConnectionsMethod[] {
  if (!access.posts) return [];
  return access.disconnects ? ['POST', 'DELETE'] : ['POST'];
}

/** A route of `ROUTE_HANDLERS` that `ROUTE_ACCESS` does not list: synth stops and names it. */
export class MissingRouteAccessError extends Error {
  readonly code = 'MISSING_ROUTE_ACCESS';

  constructor(routeKey: string) {
    super(
      `route ${routeKey} has no entry in ROUTE_ACCESS (src/entrypoints/lambda/routeAccess.ts): give it the grants its code needs`,
    );
  }
}

/** The access of `routeKey`; a route with no entry stops synth rather than run with guessed grants. */
export function accessOf(routeKey: string): RouteAccess {
  if (!Object.hasOwn(ROUTE_ACCESS, routeKey)) throw new MissingRouteAccessError(routeKey);
  return ROUTE_ACCESS[routeKey as RouteKey];
}
