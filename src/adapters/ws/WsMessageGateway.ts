import type { Duplex } from 'node:stream';
import type { WebSocket } from 'ws';
import type { ConnectionId, Delivery, MessageGateway } from '../../domain/index.js';
import { FrameWriter, type SlowClientLimits, slowClientLimits } from './FrameWriter.js';
import { serverTextFrame } from './serverTextFrame.js';

export type WsMessageGatewayOptions = Pick<SlowClientLimits, 'maxBufferedBytes'> & Partial<SlowClientLimits>;

/**
 * Delivers to the `ws` sockets of this process. Sockets are attached by the server that
 * accepted them and detached when they close.
 *
 * What `MessageGateway.post` promises, and how this adapter keeps it: one text frame, verbatim
 * (`serverTextFrame`); the answer at once, never a promise (a socket write needs no waiting, and
 * a broadcast then allocates nothing per recipient); `'gone'` for a closed socket and for a
 * client cut for falling behind (`FrameWriter`), never a throw. The speed of a broadcast is this
 * adapter's own business and nothing a caller or another adapter needs to know: the frame is
 * encoded once and the same buffer written to every recipient's stream.
 */
export class WsMessageGateway implements MessageGateway {
  private readonly writers = new Map<ConnectionId, FrameWriter>();
  private readonly limits: SlowClientLimits;
  /**
   * The frames of the broadcast under way, encoded: one per delivery format (text and json),
   * whose recipients come in any order. Older frames are overwritten, never accumulated.
   */
  private readonly recent: Encoded[] = Array.from({ length: FRAMES_PER_BROADCAST }, () => ({
    frame: '',
    encoded: EMPTY_FRAME,
  }));
  private oldest = 0;

  constructor(options: WsMessageGatewayOptions) {
    this.limits = slowClientLimits(options);
  }

  /** `stream` is the TCP stream the server accepted `socket` on (`request.socket`). */
  attach(id: ConnectionId, socket: WebSocket, stream: Duplex): void {
    this.writers.set(id, new FrameWriter(socket, stream, this.limits));
  }

  detach(id: ConnectionId): void {
    this.writers.delete(id);
  }

  /** Whether `id` was disconnected for breaking a rule (too slow, or flooding), and not closed yet. */
  isCut(id: ConnectionId): boolean {
    return this.writers.get(id)?.cut ?? false;
  }

  /** Number of attached sockets. */
  get size(): number {
    return this.writers.size;
  }

  post(to: ConnectionId, frame: string): Delivery {
    const writer = this.writers.get(to);
    if (writer === undefined) return 'gone';
    return writer.write(frame, this.encode(frame)) ? 'delivered' : 'gone';
  }

  async disconnect(to: ConnectionId): Promise<void> {
    this.writers.get(to)?.disconnect('Too many messages');
  }

  /**
   * A broadcast posts each of its frames (one per format) to its recipients, the formats in any
   * order: encode each frame once and hand the same buffer to each socket (the server never
   * masks, so sharing is safe).
   */
  private encode(frame: string): Buffer {
    const recent = this.recent;
    for (const held of recent) if (held.frame === frame) return held.encoded;
    const slot = recent[this.oldest] as Encoded;
    this.oldest = (this.oldest + 1) % recent.length;
    slot.frame = frame;
    slot.encoded = serverTextFrame(frame);
    return slot.encoded;
  }
}

/** A frame and its encoding. */
interface Encoded {
  frame: string;
  encoded: Buffer;
}

/** How many distinct frames one broadcast posts: one per delivery format. */
const FRAMES_PER_BROADCAST = 2;

const EMPTY_FRAME = serverTextFrame('');
