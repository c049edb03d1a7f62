/** What a sequence number tells about one sender's stream. */
export interface SequenceVerdict {
  /** Seen before: drop it. */
  readonly duplicate: boolean;
  /** Numbers skipped since the last one seen (frames lost in transit). */
  readonly missing: number;
}

/**
 * Remembers the highest sequence number seen from each sender. Senders number their frames
 * 1, 2, 3... and only ever resend a tail in order, so anything not above the highest is a repeat.
 */
export class SequenceFilter {
  private readonly highest = new Map<string, number>();

  accept(sender: string, sequence: number): SequenceVerdict {
    const last = this.highest.get(sender);
    if (last !== undefined && sequence <= last) return { duplicate: true, missing: 0 };
    this.highest.set(sender, sequence);
    return { duplicate: false, missing: last === undefined ? 0 : sequence - last - 1 };
  }
}
