import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { binaryFrame, type ConnectionId, type InboundFrame, textFrame, toConnectionId } from '../../domain/index.js';
import { CloseCodes } from './CloseCodes.js';
import { ConnectionLimits, type ConnectionLimitsOptions } from './ConnectionLimits.js';
import { FrameQueue } from './FrameQueue.js';
import type { WsMessageGateway } from './WsMessageGateway.js';

/** What the server reports to the application about each client. */
export interface ChatConnectionHandler {
  opened(id: ConnectionId): Promise<void>;
  received(id: ConnectionId, frame: InboundFrame): Promise<void>;
  closed(id: ConnectionId): Promise<void>;
}

export interface WsChatServerOptions extends ConnectionLimitsOptions {
  readonly host: string;
  readonly port: number;
  /** Largest message accepted; a larger one closes its connection with 1009. */
  readonly maxMessageBytes: number;
  /** Frames of one client handled at a time beyond which its socket stops being read. */
  readonly maxQueuedFramesPerClient?: number;
  /** Called with any failure of the handler; the connection and the server carry on. */
  readonly onError?: (error: unknown, context: string) => void;
}

/**
 * Accepts WebSocket clients, hands their frames to the handler one at a time per client (so a
 * sender's messages keep their order), and enforces the limits API Gateway enforces.
 */
export class WsChatServer {
  private readonly http: Server;
  private readonly wss: WebSocketServer;
  private readonly limits: ConnectionLimits;
  private readonly openSockets = new Set<WebSocket>();
  private closing = false;

  constructor(
    private readonly gateway: WsMessageGateway,
    private readonly handler: ChatConnectionHandler,
    private readonly options: WsChatServerOptions,
  ) {
    this.http = createServer((req, res) => {
      const healthy = req.url === '/health' && !this.closing;
      res.writeHead(healthy ? 200 : 426, { 'content-type': 'text/plain' }).end(healthy ? 'ok\n' : 'Upgrade Required\n');
    });
    this.wss = new WebSocketServer({
      server: this.http,
      maxPayload: options.maxMessageBytes,
      perMessageDeflate: false,
    });
    this.wss.on('connection', (socket, request) => this.accept(socket, request));
    this.limits = new ConnectionLimits(options);
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
    this.limits.start();
    return this.http.address() as AddressInfo;
  }

  /** Stops accepting, closes every client with 1001, and resolves once each has been left. */
  async close(graceMs = 5000): Promise<void> {
    this.closing = true;
    this.limits.stop();
    const closed = [...this.openSockets].map((socket) => this.whenClosed(socket));
    for (const socket of this.openSockets) socket.close(CloseCodes.goingAway, 'Server shutting down');
    const cut = setTimeout(() => {
      for (const socket of this.openSockets) socket.terminate();
    }, graceMs);
    await Promise.all(closed);
    clearTimeout(cut);
    await new Promise<void>((resolve) => this.wss.close(() => resolve()));
    await new Promise<void>((resolve) => this.http.close(() => resolve()));
  }

  private accept(socket: WebSocket, request: IncomingMessage): void {
    if (this.closing) {
      socket.close(CloseCodes.goingAway, 'Server shutting down');
      return;
    }
    const id = toConnectionId(randomUUID());
    const report = (context: string) => (error: unknown) => this.options.onError?.(error, context);
    const queue = new FrameQueue(socket, this.options.maxQueuedFramesPerClient ?? 32, report('frame'));
    this.openSockets.add(socket);
    this.gateway.attach(id, socket, request.socket);
    this.limits.track(socket);
    // Frames that arrive before the join completes wait in the queue behind it.
    queue.push(() => this.handler.opened(id));
    socket.on('message', (data: RawData, isBinary: boolean) => {
      this.limits.touch(socket);
      const frame = isBinary ? binaryFrame(byteLength(data)) : textFrame(data.toString());
      queue.push(() => this.handler.received(id, frame));
    });
    socket.on('error', report('socket'));
    socket.once('close', () => {
      this.openSockets.delete(socket);
      this.limits.untrack(socket);
      this.gateway.detach(id);
      queue.push(() => this.handler.closed(id));
    });
  }

  private whenClosed(socket: WebSocket): Promise<void> {
    if (socket.readyState === WebSocket.CLOSED) return Promise.resolve();
    return new Promise((resolve) => socket.once('close', () => resolve()));
  }
}

function byteLength(data: RawData): number {
  if (Array.isArray(data)) return data.reduce((sum, chunk) => sum + chunk.length, 0);
  return data instanceof ArrayBuffer ? data.byteLength : data.length;
}
