import {
  type ChatMessage,
  DEFAULT_RETENTION,
  firstSequence,
  formatMessageId,
  type HistoryPage,
  type HistoryQuery,
  type HistoryRetention,
  type MessageDraft,
  type MessageHistory,
  pageOfUnrecordedRoom,
  parseMessageId,
} from '../../domain/index.js';

export interface InMemoryMessageHistoryOptions extends Partial<HistoryRetention> {
  /** Most bytes (approximately) of messages kept across all rooms; the oldest go first. */
  readonly maxBytes?: number;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
}

/** Roughly what a stored message costs beyond its text. */
const OVERHEAD_BYTES = 200;

interface Stored {
  readonly message: ChatMessage;
  readonly sequence: number;
  readonly bytes: number;
  readonly log: RoomLog;
  evicted: boolean;
}

/**
 * One room's messages, oldest first, and the lowest `after` that nothing the room let go follows:
 * its first message here, then the newest one it has had to let go.
 */
interface RoomLog {
  readonly key: string;
  entries: Stored[];
  head: number;
  completeFrom: number;
}

/**
 * Each room's last messages, in this process's memory, within the retention and a total byte
 * budget (so that a few busy rooms cannot hold the process's memory). Ids come from one counter
 * started at the time in microseconds: unique, sorted within every room, never reused after a
 * restart.
 */
export class InMemoryMessageHistory implements MessageHistory {
  private readonly retention: HistoryRetention;
  private readonly maxBytes: number;
  private readonly now: () => number;
  private sequence: number;
  private readonly logs = new Map<string, RoomLog>();
  /** Every stored message in append order, for eviction by bytes; evicted ones are skipped. */
  private order: Stored[] = [];
  private orderHead = 0;
  /** Evicted entries still in `order` past its head. */
  private stale = 0;
  private bytes = 0;

  constructor({ maxBytes = 64 * 1024 * 1024, now = Date.now, ...retention }: InMemoryMessageHistoryOptions = {}) {
    this.retention = { ...DEFAULT_RETENTION, ...retention };
    this.maxBytes = maxBytes;
    this.now = now;
    this.sequence = firstSequence(now());
  }

  async append(draft: MessageDraft): Promise<ChatMessage> {
    const sequence = ++this.sequence;
    const message: ChatMessage = { id: formatMessageId(sequence), ...draft };
    if (this.retention.maxMessages === 0) return message;
    const log = this.logOf(draft.room, sequence);
    const stored: Stored = { message, sequence, bytes: cost(message), log, evicted: false };
    log.entries.push(stored);
    this.order.push(stored);
    this.bytes += stored.bytes;
    this.expire(log);
    while (log.entries.length - log.head > this.retention.maxMessages) this.evict(log.entries[log.head] as Stored);
    while (this.bytes > this.maxBytes) {
      this.compact();
      this.evict(this.order[this.orderHead] as Stored);
    }
    this.compact();
    return message;
  }

  async read(room: ChatMessage['room'], { after, limit }: HistoryQuery): Promise<HistoryPage> {
    const log = this.logs.get(room ?? '');
    if (log !== undefined) this.expire(log);
    const kept = log === undefined ? [] : log.entries.slice(log.head);
    if (after === undefined) return { messages: kept.slice(-limit).map((stored) => stored.message), complete: true };
    // No record of the room: nothing kept, or a restart.
    if (log === undefined) return pageOfUnrecordedRoom(after, this.now(), this.sequence);
    const from = parseMessageId(after) ?? 0;
    return {
      messages: kept
        .filter((stored) => stored.sequence > from)
        .slice(0, limit)
        .map((stored) => stored.message),
      complete: from >= log.completeFrom,
    };
  }

  /** The room's log, created with the message numbered `sequence` as its first. */
  private logOf(room: ChatMessage['room'], sequence: number): RoomLog {
    const key = room ?? '';
    let log = this.logs.get(key);
    if (log === undefined) {
      log = { key, entries: [], head: 0, completeFrom: sequence };
      this.logs.set(key, log);
    }
    return log;
  }

  /** Lets go of a room's messages older than the maximum age. */
  private expire(log: RoomLog): void {
    const oldest = this.now() - this.retention.maxAgeMs;
    while (log.head < log.entries.length && (log.entries[log.head] as Stored).message.ts < oldest) {
      this.evict(log.entries[log.head] as Stored);
    }
  }

  /** Lets go of `stored`, which is always the oldest of its room still kept. */
  private evict(stored: Stored): void {
    if (this.order[this.orderHead] === stored) this.orderHead++;
    else if (!stored.evicted) this.stale++;
    if (stored.evicted) return;
    stored.evicted = true;
    this.bytes -= stored.bytes;
    const { log } = stored;
    log.completeFrom = stored.sequence;
    log.head++;
    if (log.head === log.entries.length) {
      this.logs.delete(log.key);
    } else if (log.head >= 64 && log.head * 2 >= log.entries.length) {
      log.entries = log.entries.slice(log.head);
      log.head = 0;
    }
  }

  /**
   * Skips evicted entries at the front of the append order, and rebuilds it once what is spent
   * (its front, and entries evicted by count or age behind a room that keeps older ones) is as
   * long as what is live: amortized O(1) per append, and the queue never outgrows the store.
   */
  private compact(): void {
    while (this.orderHead < this.order.length && (this.order[this.orderHead] as Stored).evicted) {
      this.orderHead++;
      this.stale--;
    }
    const spent = this.orderHead + this.stale;
    if (spent >= 1024 && spent * 2 >= this.order.length) {
      this.order = this.order.slice(this.orderHead).filter((stored) => !stored.evicted);
      this.orderHead = 0;
      this.stale = 0;
    }
  }
}

function cost({ data, from }: ChatMessage): number {
  return OVERHEAD_BYTES + 2 * (data.length + from.name.length + (from.user?.length ?? 0));
}
