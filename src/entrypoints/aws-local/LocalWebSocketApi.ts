import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import {
  CloseCodes,
  ConnectionDeadlines,
  type InboundLimits,
  inboundLimits,
  type SlowClientLimits,
  slowClientLimits,
  webSocketServerOptions,
} from '../../adapters/ws/index.js';
import type { ConnectionsMethod } from '../lambda/routeAccess.js';
import {
  type ConnectionFacts,
  connectEvent,
  disconnectEvent,
  gatewayErrorFrame,
  type LocalWebSocketEvent,
  lambdaContext,
  messageEvent,
  newConnectionId,
  newRequestId,
} from './events.js';
import { InvocationBudget } from './InvocationBudget.js';
import { type ConnectionWork, LocalConnection, type RoutedMessage } from './LocalConnection.js';
import { LocalThrottles, type LocalThrottlesOptions } from './LocalThrottles.js';
import { authorizeUpgrade, type LocalAuthorizer } from './localAuthorizer.js';
import { serveManagementApi } from './managementApi.js';
import { selectRoute } from './selectRoute.js';

/** API Gateway's integration timeout. */
const INTEGRATION_TIMEOUT_MS = 29_000;

/** A Lambda handler as the emulator invokes it. */
export type RouteHandler = (
  event: LocalWebSocketEvent,
  context: Context,
) => Promise<APIGatewayProxyResultV2 | undefined>;

/** Route key (`$connect`, `$disconnect`, `$default`, `sendMessage`...) to its integration. */
export type RouteTable = Readonly<Record<string, RouteHandler>>;

export interface LocalWebSocketApiOptions
  extends Partial<InboundLimits>,
    Partial<SlowClientLimits>,
    LocalThrottlesOptions {
  readonly host: string;
  readonly port: number;
  readonly stage: string;
  /** API Gateway's message limit: 128 KiB, for client messages (1009) and Management API posts (413). */
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly maxConnectionAgeMs: number;
  /** Messages waiting for one connection beyond which its socket stops being read (32). */
  readonly maxQueuedInvocations?: number;
  /** Invocations of one connection running at once (4); 1 runs them one at a time, in order. */
  readonly maxInvocationsPerConnection?: number;
  /** Invocations running at once in the whole emulator (64); past it, sockets stop being read. */
  readonly maxInvocations?: number;
  /** How long an integration may run before API Gateway gives up on it (29 s). */
  readonly integrationTimeoutMs?: number;
  /** Added to every Management API call, as the network to a real API Gateway would. */
  readonly managementLatencyMs?: number;
  /** A handler that threw or the emulator itself failed; the connection carries on. */
  readonly onError?: (error: unknown, routeKey: string) => void;
  /** Other plain HTTP requests (the chat page): true when answered. */
  readonly onRequest?: (request: IncomingMessage, response: ServerResponse) => boolean;
}

/**
 * API Gateway's WebSocket API, locally: `$connect` on upgrade (a non-2xx refuses it), route
 * selection by `$request.body.action` with `$default` as fallback, `$disconnect` on close, the
 * Management API on the same origin, and API Gateway's size, idle and age limits. A connection's
 * invocations run concurrently, as on API Gateway, which promises no order between them.
 */
export class LocalWebSocketApi {
  private routes: RouteTable = {};
  private authorizer: LocalAuthorizer | undefined;
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly connections = new Map<string, LocalConnection>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly deadlines: ConnectionDeadlines;
  private readonly inbound: InboundLimits;
  private readonly slowClients: SlowClientLimits;
  /** Running invocations of every connection, bounded. */
  readonly budget: InvocationBudget;
  private closing = false;
  /** The `Sec-WebSocket-Protocol` each `$connect` answered with, until its upgrade completes. */
  private readonly subprotocols = new WeakMap<IncomingMessage, string>();
  /** Management API traffic so far, for operators and tests. */
  readonly stats = { posts: 0, gone: 0, postsInFlight: 0, maxPostsInFlight: 0 };
  /**
   * API Gateway's throttles (the account's, the stage's routes', new connections): a throttled
   * upgrade gets 429, a throttled message API Gateway's error frame, a throttled `@connections`
   * call 429 `LimitExceededException`; none invokes anything.
   */
  readonly throttles: LocalThrottles;
  /** ManageConnections grants by access key id: the emulated functions'. */
  private grants: ReadonlyMap<string, readonly ConnectionsMethod[]> = new Map();

  constructor(private readonly options: LocalWebSocketApiOptions) {
    this.inbound = inboundLimits(options);
    this.slowClients = slowClientLimits(options);
    this.deadlines = new ConnectionDeadlines(options);
    this.budget = new InvocationBudget(options.maxInvocations ?? 64);
    this.throttles = new LocalThrottles(options);
    // The same parser settings as the chat server's: API Gateway's limits, one message per turn.
    this.wss = new WebSocketServer({
      noServer: true,
      ...webSocketServerOptions(this.inbound),
      // API Gateway answers with the subprotocol `$connect` returned, and with none otherwise,
      // even when the client asked for one (a client that insists then fails the handshake).
      handleProtocols: (_offered, request) => this.subprotocols.get(request) ?? false,
    });
    this.http = createServer((request, response) => {
      if (options.onRequest?.(request, response) === true) return;
      if (request.method === 'POST') this.countPost(response);
      const latency = options.managementLatencyMs ?? 0;
      const delayed = latency > 0 ? new Promise((resolve) => setTimeout(resolve, latency)) : Promise.resolve();
      const serve = () =>
        serveManagementApi(request, response, {
          stage: options.stage,
          maxMessageBytes: options.maxMessageBytes,
          lookup: (id) => this.connections.get(id),
          grantsOf: (accessKeyId) => this.grants.get(accessKeyId),
          admit: () => this.throttles.admitManagementCall(),
        });
      delayed.then(serve).catch((error: unknown) => {
        this.options.onError?.(error, '@connections');
        if (!response.headersSent) response.writeHead(500).end();
      });
    });
    this.http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      this.track(this.upgrade(request, socket, head));
    });
  }

  /** Installs the integrations, and the `$connect` authorizer if there is one; until then every upgrade is refused. */
  setRoutes(routes: RouteTable, authorizer?: LocalAuthorizer): void {
    this.routes = routes;
    this.authorizer = authorizer;
  }

  /**
   * The `@connections` methods each function may call, by the access key id it signs with; a
   * key not listed (a test's, an operator's) is not checked.
   */
  setGrants(grants: ReadonlyMap<string, readonly ConnectionsMethod[]>): void {
    this.grants = grants;
  }

  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    return this.http.address() as AddressInfo;
  }

  /** Open connections, by id. */
  get size(): number {
    return this.connections.size;
  }

  /** What one connection makes the emulator hold: its running invocations and waiting messages. */
  loadOf(connectionId: string): { readonly inFlight: number; readonly waiting: number } | undefined {
    const queue = this.connections.get(connectionId)?.queue;
    return queue === undefined ? undefined : { inFlight: queue.inFlight, waiting: queue.waiting };
  }

  /** Refuses new clients, closes every open one with 1001, and waits for their `$disconnect`s. */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    for (const connection of this.connections.values()) connection.close(CloseCodes.goingAway, 'Going away');
    const cut = setTimeout(() => {
      for (const connection of this.connections.values()) connection.socket.terminate();
    }, graceMs).unref();
    while (this.connections.size > 0 || this.inFlight.size > 0) {
      await Promise.allSettled([...this.inFlight]);
      if (this.connections.size > 0) await new Promise((resolve) => setTimeout(resolve, 10));
    }
    clearTimeout(cut);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private async upgrade(request: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', () => {});
    const url = new URL(request.url ?? '/', 'http://local');
    if (this.closing || url.pathname !== `/${this.options.stage}` || this.routes.$default === undefined) {
      return refuse(socket, this.closing ? 503 : 403);
    }
    // Before the authorizer and `$connect`, as API Gateway throttles before invoking anything.
    if (!this.throttles.admitUpgrade()) return refuse(socket, 429);
    const facts: ConnectionFacts = {
      connectionId: newConnectionId(),
      connectedAt: Date.now(),
      sourceIp: request.socket.remoteAddress ?? '127.0.0.1',
      userAgent: request.headers['user-agent'],
      domainName: request.headers.host ?? `${this.options.host}:${this.options.port}`,
      stage: this.options.stage,
    };
    const verdict =
      this.authorizer === undefined
        ? undefined
        : await authorizeUpgrade(this.authorizer, request, url.searchParams, facts);
    if (verdict !== undefined && 'status' in verdict) return refuse(socket, verdict.status);
    const connect = connectEvent(facts, request.headers, url.searchParams);
    if (verdict !== undefined) connect.requestContext.authorizer = verdict.context;
    const { status, headers } = await this.integrate('$connect', connect);
    if (status < 200 || status > 299) return refuse(socket, status);
    const protocol = headerOf(headers, 'sec-websocket-protocol');
    if (protocol !== undefined) this.subprotocols.set(request, protocol);
    if (socket.destroyed || this.closing) {
      refuse(socket, 503);
      await this.invoke('$disconnect', disconnectEvent(facts, 1006, 'Client went away during $connect'));
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.accept(facts, ws, socket));
  }

  private accept(facts: ConnectionFacts, ws: WebSocket, stream: Socket): void {
    const connection = new LocalConnection(facts, ws, stream, {
      inbound: this.inbound,
      slowClients: this.slowClients,
      invocations: {
        concurrency: this.options.maxInvocationsPerConnection ?? 4,
        maxWaiting: this.options.maxQueuedInvocations ?? 32,
        budget: this.budget,
      },
      run: (target, work) => this.run(target, work),
      onError: (error) => this.options.onError?.(error, 'emulator'),
      // As on API Gateway, a broken limit is the client's to hear of (its close code), not a log's.
      onViolation: () => {},
    });
    this.connections.set(facts.connectionId, connection);
    this.deadlines.track(ws);
    ws.on('error', () => {});
    ws.on('message', (data: RawData, isBinary: boolean) => {
      // A binary frame or any message after a broken limit: the guard has closed the connection.
      // Nor is anything routed once the stage closed the connection (a DELETE on @connections,
      // say), though the client may go on sending until the closing handshake ends: API Gateway
      // has closed it, and its record may be gone already.
      if (!connection.guard.admit() || isBinary || this.closing || connection.closedByStage) return;
      this.deadlines.touch(ws);
      connection.touch();
      const body = data.toString();
      const routeKey = selectRoute(body, this.routes);
      // Throttled as it arrives, before it waits for anything: API Gateway refuses it at once.
      if (this.throttles.admitMessage(routeKey)) connection.queue.push({ routeKey, body });
      else this.refuseThrottled(connection);
    });
    ws.once('close', (code: number, reason: Buffer) => {
      connection.guard.dispose();
      this.deadlines.untrack(ws);
      this.connections.delete(facts.connectionId);
      // Tracked so that `close` waits for it; queued so that it starts after every message has.
      this.track(new Promise<void>((done) => connection.queue.push({ code, reason: reason.toString(), done }, true)));
    });
    if (this.closing) connection.close(CloseCodes.goingAway, 'Going away');
  }

  /** One connection's next piece of work: a message's route, or `$disconnect` after all of them. */
  private run(connection: LocalConnection, work: ConnectionWork): Promise<void> | undefined {
    if ('code' in work) {
      const event = disconnectEvent(connection.facts, work.code, work.reason);
      return this.invoke('$disconnect', event).then(work.done, work.done);
    }
    // Shutting down, or the stage closed the connection: messages still queued are not routed (on
    // API Gateway they would have been invoked before; here they waited for a free environment).
    return this.closing || connection.closedByStage ? undefined : this.dispatch(connection, work);
  }

  /** A message the stage or the account throttled: API Gateway's error frame, and no invocation. */
  private refuseThrottled(connection: LocalConnection): void {
    connection.send(gatewayErrorFrame('Too Many Requests', connection.facts.connectionId, newRequestId()));
  }

  private async dispatch(connection: LocalConnection, { routeKey, body }: RoutedMessage): Promise<void> {
    const event = messageEvent(connection.facts, routeKey, body);
    const status = await this.invoke(routeKey, event);
    // API Gateway tells the client when its integration failed outright.
    if ((status === 502 || status === 504) && connection.open) {
      const { connectionId, requestId } = event.requestContext;
      const message = status === 504 ? 'Endpoint request timed out' : 'Internal server error';
      connection.send(gatewayErrorFrame(message, connectionId, requestId));
    }
  }

  /**
   * Runs one integration; resolves with the status API Gateway would see: the handler's, 502 if
   * it threw, 504 past API Gateway's 29-second integration timeout.
   */
  private async invoke(routeKey: string, event: LocalWebSocketEvent): Promise<number> {
    return (await this.integrate(routeKey, event)).status;
  }

  /** `invoke`, with the headers of the integration's response (those `$connect` may answer with). */
  private async integrate(routeKey: string, event: LocalWebSocketEvent): Promise<IntegrationResponse> {
    const handler = this.routes[routeKey];
    if (handler === undefined) return { status: 200, headers: {} };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<IntegrationResponse>((resolve) => {
      timer = setTimeout(
        () => resolve({ status: 504, headers: {} }),
        this.options.integrationTimeoutMs ?? INTEGRATION_TIMEOUT_MS,
      );
    });
    const run = async (): Promise<IntegrationResponse> => {
      try {
        const result = await handler(event, lambdaContext(routeKey));
        if (typeof result !== 'object' || result === null) return { status: 200, headers: {} };
        const status = typeof result.statusCode === 'number' ? result.statusCode : 200;
        return { status, headers: (result.headers ?? {}) as Record<string, unknown> };
      } catch (error) {
        this.options.onError?.(error, routeKey);
        return { status: 502, headers: {} };
      }
    };
    try {
      return await Promise.race([run(), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private countPost(response: ServerResponse): void {
    const { stats } = this;
    stats.posts++;
    stats.postsInFlight++;
    stats.maxPostsInFlight = Math.max(stats.maxPostsInFlight, stats.postsInFlight);
    response.once('close', () => {
      stats.postsInFlight--;
      if (response.statusCode === 410) stats.gone++;
    });
  }

  private track(work: Promise<unknown>): void {
    const settled = work.catch((error: unknown) => this.options.onError?.(error, 'emulator'));
    this.inFlight.add(settled);
    void settled.finally(() => this.inFlight.delete(settled));
  }
}

/** What an integration answered: the status API Gateway sees, and the response's headers. */
interface IntegrationResponse {
  readonly status: number;
  readonly headers: Readonly<Record<string, unknown>>;
}

/** A header of an integration response, whatever its case; only a non-empty string counts. */
function headerOf(headers: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const entry = Object.entries(headers).find(([key]) => key.toLowerCase() === name);
  return typeof entry?.[1] === 'string' && entry[1] !== '' ? entry[1] : undefined;
}

function refuse(socket: Socket, status: number): void {
  if (!socket.destroyed) socket.end(`HTTP/1.1 ${status} Refused\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}
