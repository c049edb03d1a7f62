import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import type { ConnectionId, Delivery, MessageGateway } from '../../domain/index.js';
import { CloseCodes } from './CloseCodes.js';
import { serverTextFrame } from './serverTextFrame.js';

export interface WsMessageGatewayOptions {
  /**
   * Most bytes a socket may have queued and unsent. A client that falls further behind is
   * disconnected (close 1008) instead of holding memory and delaying the others.
   */
  readonly maxBufferedBytes: number;
  /** How long a disconnected slow client gets to acknowledge the close before it is cut. */
  readonly slowClientGraceMs?: number;
}

interface Attached {
  readonly socket: WebSocket;
  /** The server-side TCP stream under `socket`, when known: frames are written to it whole. */
  readonly stream: Duplex | undefined;
}

/**
 * Delivers to the `ws` sockets of this process. Sockets are attached by the server that
 * accepted them and detached when they close.
 */
export class WsMessageGateway implements MessageGateway {
  private readonly sockets = new Map<ConnectionId, Attached>();
  private readonly maxBufferedBytes: number;
  private readonly slowClientGraceMs: number;
  private lastFrame = '';
  private lastEncoded = serverTextFrame('');

  constructor({ maxBufferedBytes, slowClientGraceMs = 5000 }: WsMessageGatewayOptions) {
    this.maxBufferedBytes = maxBufferedBytes;
    this.slowClientGraceMs = slowClientGraceMs;
  }

  /**
   * `stream` is the TCP stream the server accepted `socket` on (`request.socket`). With it, a
   * frame is written as one pre-encoded buffer shared by every recipient of a broadcast; without
   * it (a client-side socket, which must mask), frames go through `socket.send`.
   */
  attach(id: ConnectionId, socket: WebSocket, stream?: Duplex): void {
    this.sockets.set(id, { socket, stream });
  }

  detach(id: ConnectionId): void {
    this.sockets.delete(id);
  }

  /** Number of attached sockets. */
  get size(): number {
    return this.sockets.size;
  }

  // Synchronous: a broadcast calls this once per recipient, and a socket write needs no waiting.
  post(to: ConnectionId, frame: string): Delivery {
    const attached = this.sockets.get(to);
    if (attached === undefined) return 'gone';
    const { socket, stream } = attached;
    if (socket.readyState !== WebSocket.OPEN) return 'gone';
    if (socket.bufferedAmount > this.maxBufferedBytes) {
      this.disconnectSlowClient(socket);
      return 'gone';
    }
    const encoded = this.encode(frame);
    // `ws` writes each frame synchronously (no compression here), so whole frames written
    // beside it cannot interleave with its own (pings, pongs, close).
    if (stream !== undefined) stream.write(encoded);
    else socket.send(encoded.subarray(encoded.length - Buffer.byteLength(frame)), { binary: false });
    return 'delivered';
  }

  async disconnect(to: ConnectionId): Promise<void> {
    this.sockets.get(to)?.socket.close(CloseCodes.policyViolation, 'Too many messages');
  }

  /**
   * A broadcast posts the same frame to every recipient in a row: encode it once and hand
   * the same buffer to each socket (the server never masks, so sharing is safe).
   */
  private encode(frame: string): Buffer {
    if (frame !== this.lastFrame) {
      this.lastFrame = frame;
      this.lastEncoded = serverTextFrame(frame);
    }
    return this.lastEncoded;
  }

  private disconnectSlowClient(socket: WebSocket): void {
    socket.close(CloseCodes.policyViolation, 'Send buffer limit exceeded');
    // The close frame waits behind the unsent backlog; a client that never drains it is cut.
    setTimeout(() => socket.terminate(), this.slowClientGraceMs).unref();
  }
}
