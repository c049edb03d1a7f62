import { PeersUnreachableError } from '../../domain/index.js';

/** One publication that Redis has not acknowledged yet. */
export interface HeldFrame<T> {
  readonly payload: T;
  readonly bytes: number;
  /** Sent on the current link and awaiting its acknowledgement. */
  sent: boolean;
  /** Bumped on every send and on every lost link, so a late acknowledgement is recognised. */
  attempt: number;
}

/**
 * The publications a node made and Redis has not acknowledged, in order, bounded in count and
 * bytes. Full, it refuses more instead of growing.
 */
export class HeldFrames<T> {
  private readonly frames: HeldFrame<T>[] = [];
  private bytes = 0;

  constructor(
    private readonly maxFrames: number,
    private readonly maxBytes: number,
  ) {
    if (maxFrames < 1 || maxBytes < 1) throw new RangeError('the hold must take at least one frame and one byte');
  }

  /** Holds `payload`; throws `PeersUnreachableError` when that would exceed the bounds. */
  hold(payload: T, bytes: number): HeldFrame<T> {
    if (this.frames.length >= this.maxFrames || this.bytes + bytes > this.maxBytes) {
      throw new PeersUnreachableError(`${this.frames.length} frames (${this.bytes} bytes) already waiting`);
    }
    const frame: HeldFrame<T> = { payload, bytes, sent: false, attempt: 0 };
    this.frames.push(frame);
    this.bytes += bytes;
    return frame;
  }

  /** Acknowledged (or refused for good): no longer held. */
  release(frame: HeldFrame<T>): void {
    const index = this.frames.indexOf(frame);
    if (index === -1) return;
    this.frames.splice(index, 1);
    this.bytes -= frame.bytes;
  }

  /** The link dropped: whatever was in flight may be lost and is to be sent again. */
  unsendAll(): void {
    for (const frame of this.frames) {
      frame.sent = false;
      frame.attempt++;
    }
  }

  /** Whether any frame held holds a payload that `test` accepts. */
  some(test: (payload: T) => boolean): boolean {
    return this.frames.some((frame) => test(frame.payload));
  }

  /** Frames waiting to be sent, oldest first. */
  unsent(): HeldFrame<T>[] {
    return this.frames.filter((frame) => !frame.sent);
  }

  get size(): number {
    return this.frames.length;
  }
}
