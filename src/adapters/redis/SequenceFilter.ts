/** How far below a sender's highest number a number may arrive late and still be news, by default. */
export const DEFAULT_LATE_WINDOW = 10_000;

interface SenderState {
  highest: number;
  /** Numbers seen within the window below `highest`, in the order they arrived. */
  readonly seen: Set<number>;
}

/**
 * Tells repeats from news in the numbered streams of the cluster's nodes. Each node numbers all
 * it publishes with one counter, so the numbers one room sees from a node rise with gaps (the
 * node's publications to other rooms). On a Redis Cluster, a shard that fails over holds some of
 * a node's publications while later ones get through, and a node sends again what a demoted
 * master acknowledged but never passed on: a number may arrive late, and may arrive twice.
 *
 * So the filter remembers the numbers it saw within `window` below the highest: one seen before
 * is a repeat, one not seen is news, whatever its order. A number further below the highest
 * than the window is a copy of something long delivered: no node holds or resends that many
 * publications (the relay's hold and its record of acknowledged ones are bounded well below).
 * Each arrival costs one set insertion and, amortised, one deletion; one sender's record holds
 * at most `window` numbers, and gaps cost nothing.
 */
export class SequenceFilter {
  private readonly senders = new Map<string, SenderState>();

  constructor(private readonly window = DEFAULT_LATE_WINDOW) {}

  /** Whether `sequence` of `sender` was accepted before, or is too old to tell (without accepting it). */
  seen(sender: string, sequence: number): boolean {
    const state = this.senders.get(sender);
    return state !== undefined && (sequence <= state.highest - this.window || state.seen.has(sequence));
  }

  /** Whether `sequence` from `sender` was seen before (or is too old to tell): drop it if so. */
  accept(sender: string, sequence: number): { readonly duplicate: boolean } {
    const state = this.senders.get(sender);
    if (state === undefined) {
      this.senders.set(sender, { highest: sequence, seen: new Set([sequence]) });
      return NEWS;
    }
    if (this.seen(sender, sequence)) return REPEAT;
    state.seen.add(sequence);
    if (sequence > state.highest) state.highest = sequence;
    this.forgetOld(state);
    return NEWS;
  }

  /** Drops, oldest arrival first, what fell below the window, and what exceeds its size. */
  private forgetOld(state: SenderState): void {
    const floor = state.highest - this.window;
    for (const number of state.seen) {
      if (number > floor && state.seen.size <= this.window) break;
      state.seen.delete(number);
    }
  }
}

const NEWS = { duplicate: false } as const;
const REPEAT = { duplicate: true } as const;
