import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { type ConnectionId, toConnectionId } from '../../domain/index.js';
import { CloseCodes } from './CloseCodes.js';
import { ConnectionDeadlines, type ConnectionDeadlinesOptions } from './ConnectionDeadlines.js';
import { FrameQueue } from './FrameQueue.js';
import { InboundFrameGuard } from './InboundFrameGuard.js';
import { type InboundLimits, inboundLimits, webSocketServerOptions } from './InboundLimits.js';
import { ReportThrottle } from './ReportThrottle.js';
import type { WsMessageGateway } from './WsMessageGateway.js';

/** What the server reports to the application about each client. */
export interface ChatConnectionHandler {
  opened(id: ConnectionId): Promise<void>;
  /** The text of one text message; binary frames never get here (they close with 1003). */
  received(id: ConnectionId, text: string): Promise<void>;
  closed(id: ConnectionId): Promise<void>;
}

export interface WsChatServerOptions extends ConnectionDeadlinesOptions, Partial<InboundLimits> {
  readonly host: string;
  readonly port: number;
  /** Messages of one client waiting beyond which its socket stops being read. */
  readonly maxQueuedFramesPerClient?: number;
  /** Called with any failure of the handler or a client; rate-limited, never a reason to stop. */
  readonly onError?: (error: unknown, context: 'frame' | 'socket') => void;
}

/** A client's queue handles its messages' texts, between its join and its leave. */
const OPENED = Symbol('opened');
const CLOSED = Symbol('closed');
type Work = string | typeof OPENED | typeof CLOSED;

/** What the server holds for each open socket. */
interface Client {
  readonly id: ConnectionId;
  readonly guard: InboundFrameGuard;
  queue: FrameQueue<Work>;
  /** Resolves the promise `close` waits on, once the handler has been told of the close. */
  left?: () => void;
}

/**
 * Accepts WebSocket clients, hands their messages to the handler one at a time per client (so a
 * sender's messages keep their order, and one turn of the event loop per message, so no client
 * holds up the others), and enforces the limits API Gateway enforces (`InboundLimits`).
 */
export class WsChatServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly deadlines: ConnectionDeadlines;
  private readonly limits: InboundLimits;
  private readonly clients = new Map<WebSocket, Client>();
  private closing = false;
  private readonly leaving = new Set<Promise<void>>();
  private readonly frameErrors: ReportThrottle;
  private readonly socketErrors: ReportThrottle;
  private readonly onMessage: (this: WebSocket, data: RawData, isBinary: boolean) => void;
  private readonly onClose: (this: WebSocket) => void;
  private readonly reportFrameError = (error: unknown) => this.frameErrors.pass(error);
  private readonly reportSocketError = (error: unknown) => this.socketErrors.pass(error);

  constructor(
    private readonly gateway: WsMessageGateway,
    private readonly handler: ChatConnectionHandler,
    private readonly options: WsChatServerOptions,
  ) {
    this.limits = inboundLimits(options);
    this.frameErrors = new ReportThrottle((error) => options.onError?.(error, 'frame'));
    this.socketErrors = new ReportThrottle((error) => options.onError?.(error, 'socket'));
    this.http = createServer((req, res) => {
      const healthy = req.url === '/health' && !this.closing;
      res.writeHead(healthy ? 200 : 426, { 'content-type': 'text/plain' }).end(healthy ? 'ok\n' : 'Upgrade Required\n');
    });
    this.wss = new WebSocketServer({ server: this.http, ...webSocketServerOptions(this.limits) });
    this.wss.on('connection', (socket, request) => this.accept(socket, request));
    this.deadlines = new ConnectionDeadlines(options);
    const received = (socket: WebSocket, data: RawData, isBinary: boolean) => this.received(socket, data, isBinary);
    const closed = (socket: WebSocket) => this.closed(socket);
    this.onMessage = function (this: WebSocket, data: RawData, isBinary: boolean) {
      received(this, data, isBinary);
    };
    this.onClose = function (this: WebSocket) {
      closed(this);
    };
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

  private accept(socket: WebSocket, request: IncomingMessage): void {
    socket.on('error', this.reportSocketError);
    if (this.closing) {
      socket.close(CloseCodes.goingAway, 'Server shutting down');
      return;
    }
    const id = toConnectionId(flatString(randomUUID()));
    const guard = new InboundFrameGuard(socket, request.socket, this.limits, this.reportSocketError);
    const client: Client = { id, guard, queue: undefined as unknown as FrameQueue<Work> };
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

  private run(client: Client, work: Work): Promise<void> | undefined {
    if (work === OPENED) return this.handler.opened(client.id);
    if (work === CLOSED) return this.handler.closed(client.id).finally(client.left);
    // Shutting down: what a client sent before is dropped, not broadcast to clients being closed.
    if (this.closing) return undefined;
    return this.handler.received(client.id, work);
  }

  private received(socket: WebSocket, data: RawData, isBinary: boolean): void {
    const client = this.clients.get(socket);
    // A binary frame or any message after a broken limit: its guard has closed the connection.
    if (client === undefined || !client.guard.admit() || isBinary || this.closing) return;
    this.deadlines.touch(socket);
    client.queue.push(data.toString());
  }

  private closed(socket: WebSocket): void {
    const client = this.clients.get(socket);
    if (client === undefined) return;
    this.clients.delete(socket);
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
