import { WebSocket } from 'ws';
import type { ConnectionId, Delivery, MessageGateway } from '../../domain/index.js';
import { CloseCodes } from './CloseCodes.js';

export interface WsMessageGatewayOptions {
  /**
   * Most bytes a socket may have queued and unsent. A client that falls further behind is
   * disconnected (close 1008) instead of holding memory and delaying the others.
   */
  readonly maxBufferedBytes: number;
  /** How long a disconnected slow client gets to acknowledge the close before it is cut. */
  readonly slowClientGraceMs?: number;
}

/**
 * Delivers to the `ws` sockets of this process. Sockets are attached by the server that
 * accepted them and detached when they close.
 */
export class WsMessageGateway implements MessageGateway {
  private readonly sockets = new Map<ConnectionId, WebSocket>();
  private readonly maxBufferedBytes: number;
  private readonly slowClientGraceMs: number;
  private lastFrame = '';
  private lastEncoded = Buffer.alloc(0);

  constructor({ maxBufferedBytes, slowClientGraceMs = 5000 }: WsMessageGatewayOptions) {
    this.maxBufferedBytes = maxBufferedBytes;
    this.slowClientGraceMs = slowClientGraceMs;
  }

  attach(id: ConnectionId, socket: WebSocket): void {
    this.sockets.set(id, socket);
  }

  detach(id: ConnectionId): void {
    this.sockets.delete(id);
  }

  /** Number of attached sockets. */
  get size(): number {
    return this.sockets.size;
  }

  async post(to: ConnectionId, frame: string): Promise<Delivery> {
    const socket = this.sockets.get(to);
    if (socket === undefined || socket.readyState !== WebSocket.OPEN) return 'gone';
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      this.disconnectSlowClient(socket);
      return 'gone';
    }
    socket.send(this.encode(frame), { binary: false });
    return 'delivered';
  }

  /**
   * A broadcast posts the same frame to every recipient in a row: encode it once and hand
   * the same buffer to each socket (the server never masks, so sharing is safe).
   */
  private encode(frame: string): Buffer {
    if (frame !== this.lastFrame) {
      this.lastFrame = frame;
      this.lastEncoded = Buffer.from(frame, 'utf8');
    }
    return this.lastEncoded;
  }

  private disconnectSlowClient(socket: WebSocket): void {
    socket.close(CloseCodes.policyViolation, 'Send buffer limit exceeded');
    // The close frame waits behind the unsent backlog; a client that never drains it is cut.
    setTimeout(() => socket.terminate(), this.slowClientGraceMs).unref();
  }
}
