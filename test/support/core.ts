import { InMemoryConnectionRepository, InMemoryMessageHistory } from '../../src/adapters/memory/index.js';
import {
  ActionRouter,
  BroadcastMessage,
  type ChatLimits,
  DEFAULT_CHAT_LIMITS,
  Fanout,
  JoinChat,
  JoinRoom,
  LeaveChat,
  LeaveRoom,
  ListMembers,
  ReadHistory,
  RejectUnknownAction,
  Replies,
  SetName,
} from '../../src/application/index.js';
import {
  type ChatMetrics,
  type ConnectionId,
  type Format,
  type Identity,
  type MessageGateway,
  NO_RATE_LIMIT,
  type RateLimit,
} from '../../src/domain/index.js';
import { newId, RecordingGateway } from './fakes.js';

export interface CoreOptions<G extends MessageGateway> {
  readonly gateway?: G;
  readonly limits?: Partial<ChatLimits>;
  readonly pageSize?: number;
  readonly maxConcurrentDeliveries?: number;
  readonly now?: () => number;
  readonly rateLimit?: RateLimit;
  readonly metrics?: ChatMetrics;
}

/** The core wired as the composition roots wire it, on in-memory adapters and a gateway fake. */
export function buildCore<G extends MessageGateway = RecordingGateway>(options: CoreOptions<G> = {}) {
  const gateway = (options.gateway ?? new RecordingGateway()) as G;
  const connections = new InMemoryConnectionRepository({ pageSize: options.pageSize ?? 1000 });
  const history = new InMemoryMessageHistory(options.now === undefined ? {} : { now: options.now });
  const limits = { ...DEFAULT_CHAT_LIMITS, ...options.limits };
  const fanout = new Fanout(connections, gateway, history, {
    maxConcurrentDeliveries: options.maxConcurrentDeliveries ?? 64,
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  const replies = new Replies(gateway);
  const join = new JoinChat(connections);
  const leave = new LeaveChat(connections, fanout);
  const routes = {
    sendMessage: new BroadcastMessage(fanout, replies, options.now),
    joinRoom: new JoinRoom(connections, fanout, replies, limits),
    leaveRoom: new LeaveRoom(connections, fanout, replies),
    setName: new SetName(connections, replies),
    listMembers: new ListMembers(connections, replies, limits),
    history: new ReadHistory(history, replies),
  };
  const router = new ActionRouter(routes, connections, gateway, new RejectUnknownAction(replies), replies, {
    rateLimit: options.rateLimit ?? NO_RATE_LIMIT,
    ...(options.now === undefined ? {} : { now: options.now }),
    ...(options.metrics === undefined ? {} : { metrics: options.metrics }),
  });
  /** Connects a client in `format` (text by default), named or verified as given. */
  const connect = async (format: Format = 'text', name?: string, verified?: Identity): Promise<ConnectionId> => {
    const id = newId();
    await join.execute(id, { format, name }, verified);
    return id;
  };
  /** Sends `frame` (an object is sent as JSON) from `sender`. */
  const send = (sender: ConnectionId, frame: unknown) =>
    router.route(sender, typeof frame === 'string' ? frame : JSON.stringify(frame));
  return { gateway, connections, history, fanout, replies, join, leave, routes, router, connect, send };
}
