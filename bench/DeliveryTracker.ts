import { type LatencySummary, summarizeLatency } from './percentiles.js';

/** What a round delivered, checked against what it should have. */
export interface DeliveryReport {
  readonly expected: number;
  /** Distinct messages received, counted once per receiver. */
  readonly delivered: number;
  readonly lost: number;
  /** A message a receiver had already received from that sender. */
  readonly duplicated: number;
  /** A message that arrived after a later one of the same sender. */
  readonly outOfOrder: number;
  /** Frames that were not benchmark payloads (error replies, for instance). */
  readonly foreign: number;
  readonly latency: LatencySummary;
}

/**
 * Checks every delivery of a round: each receiver must get each sender's messages exactly once
 * and in the order sent. Per receiver and sender it keeps the highest sequence number seen and a
 * bitmap of the ones received, so a late message is told apart from a repeated one.
 */
export class DeliveryTracker {
  private readonly highest: Int32Array;
  private readonly seen: Uint8Array;
  private readonly latencies: Uint32Array;
  private recorded = 0;
  private delivered = 0;
  private duplicated = 0;
  private outOfOrder = 0;
  private foreign = 0;

  constructor(
    private readonly receivers: number,
    private readonly senders: number,
    private readonly messagesPerSender: number,
  ) {
    this.highest = new Int32Array(receivers * senders).fill(-1);
    this.seen = new Uint8Array(Math.ceil((receivers * senders * messagesPerSender) / 8));
    this.latencies = new Uint32Array(receivers * senders * messagesPerSender);
  }

  get expected(): number {
    return this.receivers * this.senders * this.messagesPerSender;
  }

  /** True once every receiver has every message. */
  get complete(): boolean {
    return this.delivered === this.expected;
  }

  get deliveredCount(): number {
    return this.delivered;
  }

  /** Records one frame received by `receiver`; returns false when it is not a valid delivery. */
  record(receiver: number, sender: number, seq: number, latencyMicros: number): boolean {
    if (sender >= this.senders || seq >= this.messagesPerSender || receiver >= this.receivers) {
      this.foreign++;
      return false;
    }
    const pair = receiver * this.senders + sender;
    const bit = pair * this.messagesPerSender + seq;
    const mask = 1 << (bit & 7);
    const byte = bit >>> 3;
    if (((this.seen[byte] as number) & mask) !== 0) {
      this.duplicated++;
      return false;
    }
    this.seen[byte] = (this.seen[byte] as number) | mask;
    if (seq < (this.highest[pair] as number)) this.outOfOrder++;
    else this.highest[pair] = seq;
    this.delivered++;
    if (this.recorded < this.latencies.length) this.latencies[this.recorded++] = Math.max(0, latencyMicros);
    return true;
  }

  /** Counts a frame that is not a benchmark payload. */
  recordForeign(): void {
    this.foreign++;
  }

  report(): DeliveryReport {
    return {
      expected: this.expected,
      delivered: this.delivered,
      lost: this.expected - this.delivered,
      duplicated: this.duplicated,
      outOfOrder: this.outOfOrder,
      foreign: this.foreign,
      latency: summarizeLatency(this.latencies.subarray(0, this.recorded)),
    };
  }
}
