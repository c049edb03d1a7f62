import type { Writable } from 'node:stream';
import { WebSocket } from 'ws';
import { CloseCodes } from './CloseCodes.js';

/** How far behind a client may fall on reading before it is disconnected. */
export interface SlowClientLimits {
  /** Bytes waiting for a client, held here and queued in its stream together. */
  readonly maxBufferedBytes: number;
  /** Frames held for a client, however small: what each costs is not only its bytes. */
  readonly maxBufferedFrames: number;
  /** How long a disconnected slow client gets to read its close frame before it is cut. */
  readonly slowClientGraceMs: number;
}

export const DEFAULT_SLOW_CLIENT_LIMITS: SlowClientLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxBufferedFrames: 4096,
  slowClientGraceMs: 5000,
};

/** `limits`, with the default for each one not given. */
export function slowClientLimits(limits: Partial<SlowClientLimits>): SlowClientLimits {
  const defaults = DEFAULT_SLOW_CLIENT_LIMITS;
  return {
    maxBufferedBytes: limits.maxBufferedBytes ?? defaults.maxBufferedBytes,
    maxBufferedFrames: limits.maxBufferedFrames ?? defaults.maxBufferedFrames,
    slowClientGraceMs: limits.slowClientGraceMs ?? defaults.slowClientGraceMs,
  };
}

/**
 * Sends text frames to one client. Frames are written whole, pre-encoded, straight to the TCP
 * stream under `ws` (safe because `ws` writes each of its own frames synchronously and nothing
 * here is compressed); on a connection where `ws` negotiated an extension they go through
 * `socket.send` instead, so no frame ever bypasses a transform it needs.
 *
 * The slow-client rule: once the stream signals backpressure, nothing more is written to it;
 * frames are held here (a reference each: a broadcast frame is one buffer shared by every
 * recipient) and written as one buffer when it drains. A client whose held frames pass
 * `maxBufferedFrames`, or whose waiting bytes pass `maxBufferedBytes`, is disconnected with
 * 1008 and cut after `slowClientGraceMs`; dropping its backlog is O(1). It never misses a
 * frame silently: from then on every write answers false, which the gateway reports as gone.
 */
export class FrameWriter {
  private readonly direct: boolean;
  private held: Array<Buffer | string> | undefined;
  private heldBytes = 0;
  private disconnected = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly stream: Writable,
    private readonly limits: SlowClientLimits,
  ) {
    this.direct = socket.extensions === '';
  }

  /** Whether this client was disconnected for breaking a rule: nothing it still sends counts. */
  get cut(): boolean {
    return this.disconnected;
  }

  /** Sends `payload` as one text frame (`encoded`: the same, as a whole frame); false if the client is gone. */
  write(payload: string | Buffer, encoded: Buffer): boolean {
    if (this.socket.readyState !== WebSocket.OPEN) return false;
    if (this.held !== undefined) return this.hold(this.direct ? encoded : payload, encoded.length);
    this.send(this.direct ? encoded : payload);
    return true;
  }

  private send(item: Buffer | string): void {
    if (this.direct) this.stream.write(item);
    else this.socket.send(item, { binary: false });
    if (this.stream.writableNeedDrain) this.holdUntilDrained();
  }

  private holdUntilDrained(): void {
    this.held = [];
    this.heldBytes = 0;
    this.stream.once('drain', () => this.flush());
  }

  private hold(item: Buffer | string, bytes: number): boolean {
    const held = this.held as Array<Buffer | string>;
    held.push(item);
    this.heldBytes += bytes;
    const limits = this.limits;
    if (
      held.length > limits.maxBufferedFrames ||
      this.heldBytes + this.stream.writableLength > limits.maxBufferedBytes
    ) {
      this.disconnect();
      return false;
    }
    return true;
  }

  private flush(): void {
    const held = this.held;
    this.held = undefined;
    // A closing socket has had its close frame written: nothing may follow it.
    if (held === undefined || held.length === 0 || this.socket.readyState !== WebSocket.OPEN) return;
    if (!this.direct) {
      for (const item of held) this.socket.send(item, { binary: false });
      if (this.stream.writableNeedDrain) this.holdUntilDrained();
      return;
    }
    this.send(held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held as Buffer[], this.heldBytes));
  }

  /** Closes the client for breaking a rule (1008), dropping what is held for it; cut if it never answers. */
  disconnect(reason = 'Send buffer limit exceeded'): void {
    this.disconnected = true;
    this.held = undefined;
    const socket = this.socket;
    socket.close(CloseCodes.policyViolation, reason);
    // The close frame waits behind what the stream already holds; a client that never reads it is cut.
    setTimeout(() => socket.terminate(), this.limits.slowClientGraceMs).unref();
  }
}
