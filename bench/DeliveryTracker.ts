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
 * bitmap of the ones received, so a late message is told apart from a repeated one. With rooms
 * (`roomSize` > 0), sender `s` is the first client of room `s` and only that room's members
 * receive its messages: each receiver then has one sender.
 */
export class DeliveryTracker {
  private readonly pairs: number;
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
    private readonly roomSize = 0,
  ) {
    this.pairs = roomSize === 0 ? receivers * senders : Math.min(receivers, senders * roomSize);
    this.highest = new Int32Array(this.pairs).fill(-1);
    this.seen = new Uint8Array(Math.ceil((this.pairs * messagesPerSender) / 8));
    this.latencies = new Uint32Array(this.pairs * messagesPerSender);
  }

  get expected(): number {
    return this.pairs * this.messagesPerSender;
  }

  /** The index of a (receiver, sender) pair that should see deliveries, or -1. */
  private pairOf(receiver: number, sender: number): number {
    if (this.roomSize === 0) return receiver * this.senders + sender;
    return Math.floor(receiver / this.roomSize) === sender ? receiver : -1;
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
    const pair = sender < this.senders && receiver < this.receivers ? this.pairOf(receiver, sender) : -1;
    if (pair < 0 || seq >= this.messagesPerSender) {
      this.foreign++;
      return false;
    }
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
