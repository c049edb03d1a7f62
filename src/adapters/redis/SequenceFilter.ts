/** What a sequence number tells about one sender's stream. */
export interface SequenceVerdict {
  /** Seen before: drop it. */
  readonly duplicate: boolean;
  /** Numbers skipped since the highest seen (frames late or lost in transit). */
  readonly missing: number;
}

/** Numbers skipped by one sender that may still arrive late, at most this many (oldest forgotten first). */
export const MAX_LATE_NUMBERS = 10_000;

interface SenderState {
  highest: number;
  /** Numbers below `highest` not seen yet, in the order they were skipped. */
  readonly skipped: Set<number>;
}

/**
 * Tells repeats from news in each sender's numbered stream (1, 2, 3...). A number above the
 * highest seen is news, and the numbers it skips are remembered: on a Redis Cluster, a shard that
 * fails over holds some of a sender's publications while later ones get through, so the held ones
 * arrive late, under lower numbers, and must still be delivered once. A number at or below the
 * highest is news only if it was skipped and not seen since. The late numbers one sender may
 * leave open are bounded (`MAX_LATE_NUMBERS`), so a stream with a large hole costs bounded memory.
 */
export class SequenceFilter {
  private readonly senders = new Map<string, SenderState>();

  /** Whether `sequence` of `sender` was accepted before (without accepting it). */
  seen(sender: string, sequence: number): boolean {
    const state = this.senders.get(sender);
    return state !== undefined && sequence <= state.highest && !state.skipped.has(sequence);
  }

  accept(sender: string, sequence: number): SequenceVerdict {
    const state = this.senders.get(sender);
    if (state === undefined) {
      this.senders.set(sender, { highest: sequence, skipped: new Set() });
      return { duplicate: false, missing: 0 };
    }
    if (sequence <= state.highest) {
      return { duplicate: !state.skipped.delete(sequence), missing: 0 };
    }
    const missing = sequence - state.highest - 1;
    for (let late = Math.max(state.highest + 1, sequence - MAX_LATE_NUMBERS); late < sequence; late++) {
      state.skipped.add(late);
    }
    // Sets iterate in insertion order: the oldest skipped numbers go first.
    for (const oldest of state.skipped) {
      if (state.skipped.size <= MAX_LATE_NUMBERS) break;
      state.skipped.delete(oldest);
    }
    state.highest = sequence;
    return { duplicate: false, missing };
  }
}
