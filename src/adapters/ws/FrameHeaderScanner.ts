/** A frame that breaks a limit the `ws` parser itself does not enforce. */
export type FrameViolation = 'binary' | 'frameTooBig';

// Where the scanner is within the current frame.
const FIRST_BYTE = 0;
const SECOND_BYTE = 1;
const LENGTH_BYTES = 2;
const BODY = 3;

const OPCODE_BINARY = 0x2;
const FIRST_CONTROL_OPCODE = 0x8;

/**
 * Follows a client's byte stream frame by frame (RFC 6455, section 5.2) reading only the 2 to
 * 10 header bytes of each frame and skipping the mask and payload by count: O(1) per frame and
 * per chunk, no buffering, whatever the chunking. It checks what `ws` does not (a binary frame
 * at its header, before its payload arrives; a frame over `maxFrameBytes`) and knows whether
 * the stream is between messages. Everything else about a frame's validity stays with `ws`.
 */
export class FrameHeaderScanner {
  /** Data messages whose last byte has been scanned. */
  completedMessages = 0;
  private step = FIRST_BYTE;
  private fin = false;
  private opcode = 0;
  private masked = false;
  private lengthBytesLeft = 0;
  private length = 0;
  /** Mask and payload bytes of the current frame not seen yet. */
  private bodyLeft = 0;
  /** A data message has started and its final frame has not ended yet. */
  private fragmented = false;

  constructor(private readonly maxFrameBytes: number) {}

  /** True between two messages: nothing a client sent is waiting to be completed. */
  get atMessageBoundary(): boolean {
    return this.step === FIRST_BYTE && !this.fragmented;
  }

  /** Scans the next chunk of the stream; stops at, and answers, the first violation in it. */
  scan(chunk: Buffer): FrameViolation | undefined {
    let offset = 0;
    while (offset < chunk.length) {
      if (this.step === BODY) {
        const skipped = Math.min(this.bodyLeft, chunk.length - offset);
        this.bodyLeft -= skipped;
        offset += skipped;
        if (this.bodyLeft === 0) this.frameEnded();
        continue;
      }
      const byte = chunk[offset++] as number;
      if (this.step === FIRST_BYTE) {
        this.fin = (byte & 0x80) !== 0;
        this.opcode = byte & 0x0f;
        this.step = SECOND_BYTE;
        continue;
      }
      if (this.step === SECOND_BYTE) {
        this.masked = (byte & 0x80) !== 0;
        const short = byte & 0x7f;
        this.length = short < 126 ? short : 0;
        this.lengthBytesLeft = short === 126 ? 2 : short === 127 ? 8 : 0;
        this.step = LENGTH_BYTES;
      } else {
        // Past 2^53 a double loses precision, but stays far above any limit: enough to refuse it.
        this.length = this.length * 256 + byte;
        this.lengthBytesLeft--;
      }
      if (this.lengthBytesLeft === 0) {
        const violation = this.headerEnded();
        if (violation !== undefined) return violation;
      }
    }
    return undefined;
  }

  private headerEnded(): FrameViolation | undefined {
    if (this.opcode === OPCODE_BINARY) return 'binary';
    if (this.opcode < FIRST_CONTROL_OPCODE && this.length > this.maxFrameBytes) return 'frameTooBig';
    this.bodyLeft = this.length + (this.masked ? 4 : 0);
    this.step = BODY;
    if (this.bodyLeft === 0) this.frameEnded();
    return undefined;
  }

  private frameEnded(): void {
    this.step = FIRST_BYTE;
    // Control frames may come between the fragments of a message; they neither start nor end one.
    if (this.opcode >= FIRST_CONTROL_OPCODE) return;
    this.fragmented = !this.fin;
    if (this.fin) this.completedMessages++;
  }
}
