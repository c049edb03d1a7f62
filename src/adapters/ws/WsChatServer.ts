import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { type ConnectionId, toConnectionId } from '../../domain/index.js';
import { CloseCodes } from './CloseCodes.js';
import { ConnectionDeadlines, type ConnectionDeadlinesOptions } from './ConnectionDeadlines.js';
import { FrameQueue } from './FrameQueue.js';
import { InboundFrameGuard } from './InboundFrameGuard.js';
import { type InboundLimits, inboundLimits, webSocketServerOptions } from './InboundLimits.js';
import { ReportThrottle } from './ReportThrottle.js';
import type { WsMessageGateway } from './WsMessageGateway.js';

/** An upgrade request as the handler sees it, before it becomes a connection. */
export interface UpgradeRequest {
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
  /** The client's address: the peer's, or the one the proxy in front saw, when it is trusted. */
  readonly address: string;
}

/** Let in, with what the handler wants to know of the connection later; or refused, and why. */
export type Admission<S> =
  | { readonly admitted: true; readonly session: S }
  | { readonly admitted: false; readonly status: number; readonly reason: string };

/** What the server reports to the application about each client. */
export interface ChatConnectionHandler<S> {
  /** Before the upgrade: whether this request may become a connection. A refusal never becomes a WebSocket. */
  admit(request: UpgradeRequest): Promise<Admission<S>>;
  opened(id: ConnectionId, session: S): Promise<void>;
  /** The text of one text message; binary frames never get here (they close with 1003). */
  received(id: ConnectionId, text: string): Promise<void>;
  /** The connection closed with `code` (1006 when it dropped without a close frame). */
  closed(id: ConnectionId, code: number): Promise<void>;
}

/** How many connections a node and one address may hold; 0 switches a cap off. */
export interface ConnectionCaps {
  /** Over it, an upgrade is answered 503. */
  readonly maxConnections: number;
  /** Over it, an upgrade from that address is answered 429. */
  readonly maxConnectionsPerIp: number;
  /**
   * Behind one trusted proxy: take the last `X-Forwarded-For` address, the one that proxy appended
   * for the peer it saw. Earlier entries come from the client and may be anything.
   */
  readonly trustProxy: boolean;
}

export interface WsChatServerOptions
  extends ConnectionDeadlinesOptions,
    Partial<InboundLimits>,
    Partial<ConnectionCaps> {
  readonly host: string;
  readonly port: number;
  /** Messages of one client waiting beyond which its socket stops being read. */
  readonly maxQueuedFramesPerClient?: number;
  /**
   * Called with any failure of the handler or a client, and the connection it happened on once
   * there is one; rate-limited, never a reason to stop.
   */
  readonly onError?: (error: unknown, context: 'frame' | 'socket', connectionId?: string) => void;
  /** Other HTTP requests (the page, metrics, readiness): true when answered, else the server answers. */
  readonly onRequest?: (request: IncomingMessage, response: ServerResponse) => boolean;
  /** An upgrade refused, by status: for counting, never for logging a request's details. */
  readonly onRefused?: (status: number) => void;
}

/** A client's queue handles its messages' texts, between its join and its leave. */
const OPENED = Symbol('opened');
const CLOSED = Symbol('closed');
type Work = string | typeof OPENED | typeof CLOSED;

/** What the server holds for each open socket. */
interface Client<S> {
  readonly id: ConnectionId;
  readonly guard: InboundFrameGuard;
  readonly address: string;
  queue: FrameQueue<Work>;
  /** What `admit` said of the connection, until `opened` has been told. */
  session: S | undefined;
  /** The close code, once closed. */
  code?: number;
  /** Disconnected for breaking a rule: what it sent and is still queued is dropped. */
  cut?: boolean;
  /** Resolves the promise `close` waits on, once the handler has been told of the close. */
  left?: () => void;
}

/**
 * Accepts WebSocket clients, hands their messages to the handler one at a time per client (so a
 * sender's messages keep their order, and one turn of the event loop per message, so no client
 * holds up the others), and enforces the limits API Gateway enforces (`InboundLimits`).
 */
export class WsChatServer<S> {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly deadlines: ConnectionDeadlines;
  private readonly limits: InboundLimits;
  private readonly clients = new Map<WebSocket, Client<S>>();
  /** Connections of each address, open or being admitted, and upgrades being admitted. */
  private readonly perAddress = new Map<string, number>();
  private upgrading = 0;
  private closing = false;
  private readonly leaving = new Set<Promise<void>>();
  private readonly frameErrors: ReportThrottle;
  private readonly socketErrors: ReportThrottle;
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: WebSocket, code: number) => void;
  private readonly reportFrameError = (error: unknown) => this.frameErrors.pass(error);
  private readonly reportSocketError = (error: unknown) => this.socketErrors.pass(error);
  /** A connection's socket failing: named by its id (shared by every socket, no closure each). */
  private readonly reportConnectionError = (error: unknown, socket: WebSocket) =>
    this.socketErrors.pass(error, this.clients.get(socket)?.id);
  private readonly onSocketError: (this: WebSocket, error: Error) => void;

  constructor(
    private readonly gateway: WsMessageGateway,
    private readonly handler: ChatConnectionHandler<S>,
    private readonly options: WsChatServerOptions,
  ) {
    this.limits = inboundLimits(options);
    this.frameErrors = new ReportThrottle((error, id) => options.onError?.(error, 'frame', id));
    this.socketErrors = new ReportThrottle((error, id) => options.onError?.(error, 'socket', id));
    const connectionError = this.reportConnectionError;
    this.onSocketError = function (this: WebSocket, error: Error) {
      connectionError(error, this);
    };
    this.http = createServer((req, res) => {
      if (options.onRequest?.(req, res) === true) return;
      const healthy = req.url === '/health' && !this.closing;
      res.writeHead(healthy ? 200 : 426, { 'content-type': 'text/plain' }).end(healthy ? 'ok\n' : 'Upgrade Required\n');
    });
    this.wss = new WebSocketServer({ noServer: true, ...webSocketServerOptions(this.limits) });
    this.http.on('upgrade', (request: IncomingMessage, socket: Socket, head: Buffer) => {
      void this.upgrade(request, socket, head);
    });
    this.deadlines = new ConnectionDeadlines(options);
    const received = (socket: WebSocket, data: RawData, isBinary: boolean) => this.received(socket, data, isBinary);
    const closed = (socket: WebSocket, code: number) => this.closed(socket, code);
    this.onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      received(this, data, isBinary);
    };
    this.onClose = function (this: WebSocket, code: number) {
      closed(this, code);
    };
  }

  /** Shutting down: no new connection is accepted, no message handled. */
  get draining(): boolean {
    return this.closing;
  }

  /** Starts listening; resolves with the bound address once connections are accepted. */
  async listen(): Promise<AddressInfo> {
    await new Promise<void>((resolve, reject) => {
      this.http.once('error', reject);
      this.http.listen(this.options.port, this.options.host, () => {
        this.http.off('error', reject);
        resolve();
      });
    });
    this.deadlines.start();
    return this.http.address() as AddressInfo;
  }

  /**
   * Stops accepting and handling messages, closes every client with 1001 (cutting those that do
   * not answer within `graceMs`), and resolves once the handler has been told of each close.
   */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    this.deadlines.stop();
    const closed = [...this.clients.keys()].map((socket) => this.whenClosed(socket));
    for (const socket of this.clients.keys()) socket.close(CloseCodes.goingAway, 'Server shutting down');
    const cut = setTimeout(() => {
      for (const socket of this.clients.keys()) socket.terminate();
    }, graceMs);
    await Promise.all(closed);
    clearTimeout(cut);
    await Promise.all(this.leaving);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    // Connections that never upgraded (idle or half-sent requests) would hold `close` forever.
    this.http.closeAllConnections();
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  /**
   * Before a request becomes a WebSocket: the caps, then the handler's admission. A refusal is a
   * plain HTTP answer with a short reason, and the socket is never accepted.
   */
  private async upgrade(request: IncomingMessage, socket: Socket, head: Buffer): Promise<void> {
    socket.on('error', this.reportSocketError);
    const address = this.addressOf(request);
    const capped = this.closing ? { status: 503, reason: 'Server shutting down' } : this.capped(address);
    if (capped !== undefined) return this.refuse(socket, capped.status, capped.reason);
    this.upgrading++;
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    let accepted = false;
    socket.once('close', () => {
      if (!accepted) this.release(address, true);
    });
    let admission: Admission<S>;
    try {
      admission = await this.handler.admit({ url: request.url ?? '/', headers: request.headers, address });
    } catch (error) {
      this.reportFrameError(error);
      admission = { admitted: false, status: 500, reason: 'Internal server error' };
    }
    if (admission.admitted && this.closing)
      admission = { admitted: false, status: 503, reason: 'Server shutting down' };
    if (!admission.admitted) return this.refuse(socket, admission.status, admission.reason);
    if (socket.destroyed) return;
    const { session } = admission;
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      accepted = true;
      this.upgrading--;
      this.accept(ws, request, address, session);
    });
  }

  /** The status and reason a cap refuses an upgrade from `address` with, if one does. */
  private capped(address: string): { status: number; reason: string } | undefined {
    const { maxConnections = 0, maxConnectionsPerIp = 0 } = this.options;
    if (maxConnections > 0 && this.clients.size + this.upgrading >= maxConnections) {
      return { status: 503, reason: 'The server is full' };
    }
    if (maxConnectionsPerIp > 0 && (this.perAddress.get(address) ?? 0) >= maxConnectionsPerIp) {
      return { status: 429, reason: 'Too many connections from your address' };
    }
    return undefined;
  }

  private addressOf(request: IncomingMessage): string {
    const header = this.options.trustProxy === true ? request.headers['x-forwarded-for'] : undefined;
    const hops = (Array.isArray(header) ? header.join(',') : (header ?? '')).split(',');
    const nearest = hops[hops.length - 1]?.trim();
    return nearest || request.socket.remoteAddress || 'unknown';
  }

  /** One connection of `address` fewer (and one upgrade fewer, if it never became a connection). */
  private release(address: string, upgrading: boolean): void {
    if (upgrading) this.upgrading--;
    const left = (this.perAddress.get(address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(address, left);
    else this.perAddress.delete(address);
  }

  private refuse(socket: Socket, status: number, reason: string): void {
    this.options.onRefused?.(status);
    if (socket.destroyed) return;
    const body = `${reason}\n`;
    socket.end(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Refused'}\r\nConnection: close\r\n` +
        `Content-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
  }

  private accept(socket: WebSocket, request: IncomingMessage, address: string, session: S): void {
    socket.on('error', this.onSocketError);
    if (this.closing) {
      this.release(address, false);
      socket.close(CloseCodes.goingAway, 'Server shutting down');
      return;
    }
    const id = toConnectionId(flatString(randomUUID()));
    const guard = new InboundFrameGuard(socket, request.socket, this.limits, this.reportConnectionError);
    const client: Client<S> = { id, guard, address, session, queue: undefined as unknown as FrameQueue<Work> };
    client.queue = new FrameQueue<Work>(
      socket,
      (work) => this.run(client, work),
      this.options.maxQueuedFramesPerClient ?? 32,
      this.reportFrameError,
    );
    this.clients.set(socket, client);
    this.gateway.attach(id, socket, request.socket);
    this.deadlines.track(socket);
    // Messages that arrive before the join completes wait in the queue behind it.
    client.queue.push(OPENED);
    // Listeners shared by every socket (`this` is the socket): no closures held per connection.
    socket.on('message', this.onMessage);
    // `on`, not `once`: 'close' comes once anyway, and `once` wraps each listener.
    socket.on('close', this.onClose);
  }

  private run(client: Client<S>, work: Work): Promise<void> | undefined {
    if (work === OPENED) {
      const { session } = client;
      client.session = undefined;
      return this.handler.opened(client.id, session as S);
    }
    if (work === CLOSED) return this.handler.closed(client.id, client.code ?? 1006).finally(client.left);
    // Shutting down: what a client sent before is dropped, not broadcast to clients being closed.
    // Cut for flooding or falling behind: nothing it sent still counts, nor runs unlimited
    // once its record is gone.
    if (this.closing || this.isCut(client)) return undefined;
    return this.handler.received(client.id, work);
  }

  /** Whether the gateway cut `client`; remembered, since the gateway forgets it once it closes. */
  private isCut(client: Client<S>): boolean {
    if (client.cut !== true && this.gateway.isCut(client.id)) client.cut = true;
    return client.cut === true;
  }

  private received(socket: WebSocket, data: RawData, isBinary: boolean): void {
    const client = this.clients.get(socket);
    // A binary frame or any message after a broken limit: its guard has closed the connection.
    if (client === undefined || !client.guard.admit() || isBinary || this.closing || this.isCut(client)) return;
    this.deadlines.touch(socket);
    client.queue.push(data.toString());
  }

  private closed(socket: WebSocket, code: number): void {
    const client = this.clients.get(socket);
    if (client === undefined) return;
    this.clients.delete(socket);
    this.release(client.address, false);
    client.code = code;
    client.guard.dispose();
    this.deadlines.untrack(socket);
    this.gateway.detach(client.id);
    // Tracked until it has run, so that `close` can wait for every leave.
    const left = new Promise<void>((resolve) => {
      client.left = resolve;
      client.queue.push(CLOSED);
    });
    this.leaving.add(left);
    void left.then(() => this.leaving.delete(left));
  }

  private whenClosed(socket: WebSocket): Promise<void> {
    if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => socket.once('close', () => resolve()));
  }
}

/**
 * `randomUUID` builds its text by concatenation, which V8 keeps as a tree of some twenty
 * string pieces (about 450 bytes); an id held for the life of a connection is worth a flat copy.
 */
function flatString(text: string): string {
  return Buffer.from(text, 'latin1').toString('latin1');
}
