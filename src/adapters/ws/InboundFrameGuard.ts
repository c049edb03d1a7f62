import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import { FrameHeaderScanner } from './FrameHeaderScanner.js';
import { FrameLimitError } from './FrameLimitError.js';
import type { InboundLimits } from './InboundLimits.js';
import { ReadingDeadline } from './ReadingDeadline.js';

/**
 * How long a client that broke a limit gets to answer the close before it is cut. One that keeps
 * sending instead would otherwise keep `ws` parsing for its whole close timeout (30 s).
 */
const CLOSE_ANSWER_MS = 1000;

/**
 * Watches one client's TCP stream ahead of `ws` and closes the connection when a frame breaks
 * a limit `ws` does not enforce: a binary frame (1003, at its header), a frame over
 * `maxFrameBytes` (1009, at its header), a message incomplete for longer than
 * `incompleteMessageTimeoutMs` of reading time (1008). The deadline runs only while a message
 * spans chunks; a stream of whole frames costs one header scan per frame and nothing else.
 *
 * `ws` parses the chunk the violation was found in after the guard has seen it: messages that
 * completed before the violating frame are still admitted, none after it.
 */
export class InboundFrameGuard {
  private readonly scanner: FrameHeaderScanner;
  /** Made on the first message that spans chunks: most connections never need one. */
  private deadline: ReadingDeadline | undefined;
  private admitted = 0;
  private allowed = Number.POSITIVE_INFINITY;
  private readonly onData = (chunk: Buffer) => this.scan(chunk);

  constructor(
    private readonly socket: WebSocket,
    private readonly stream: Duplex,
    private readonly limits: InboundLimits,
    private readonly onViolation: (error: FrameLimitError, socket: WebSocket) => void,
  ) {
    this.scanner = new FrameHeaderScanner(limits.maxFrameBytes);
    // Ahead of `ws`'s own listener, so a violation is known before `ws` parses the chunk.
    stream.prependListener('data', this.onData);
  }

  /** Call for each message `ws` emits: false for those after a violation. */
  admit(): boolean {
    return ++this.admitted <= this.allowed;
  }

  /** The connection is closed: stops watching. */
  dispose(): void {
    this.deadline?.disarm();
    this.stream.off('data', this.onData);
  }

  private scan(chunk: Buffer): void {
    const violation = this.scanner.scan(chunk);
    if (violation !== undefined) {
      this.reject(new FrameLimitError(violation === 'binary' ? 'WS_BINARY_FRAME' : 'WS_FRAME_TOO_BIG'));
      return;
    }
    if (this.scanner.atMessageBoundary) {
      this.deadline?.disarm();
      return;
    }
    this.deadline ??= new ReadingDeadline(this.stream, this.limits.incompleteMessageTimeoutMs, () =>
      this.reject(new FrameLimitError('WS_MESSAGE_INCOMPLETE')),
    );
    if (!this.deadline.armed) this.deadline.arm();
  }

  private reject(error: FrameLimitError): void {
    this.allowed = this.scanner.completedMessages;
    this.dispose();
    // A connection `ws` is already closing (its own limits, the client's close) needs no other.
    if (this.socket.readyState !== WebSocket.OPEN) return;
    const socket = this.socket;
    socket.close(error.closeCode, error.message);
    setTimeout(() => socket.terminate(), CLOSE_ANSWER_MS).unref();
    this.onViolation(error, socket);
  }
}
