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
  type RoomName,
} from '../../domain/index.js';
import { APPEND_SCRIPT } from './appendScript.js';
import { type RedisClient, usesShardChannels } from './RedisClient.js';
import type { RedisKeys } from './RedisKeys.js';
import { RedisScript } from './RedisScript.js';
import { encodeDraft } from './roomEnvelope.js';

export interface RedisMessageHistoryOptions {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly retention?: Partial<HistoryRetention>;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
}

/** Where one append publishes, and under which origin sequence (a resend carries the same). */
export interface Publishing {
  readonly channel: string;
  readonly origin: string;
  /** The origin's own number for its messages to this room, consecutive from where the room started. */
  readonly originSequence: number;
  /** The origin sequence that must be stored before this one: its predecessor unless given lower. */
  readonly after?: number;
}

/**
 * The append script refused a message because the one before it from the same origin is not
 * stored: it overtook it, or the record of it was lost with a failed master. Nothing was stored.
 */
export class OriginGapError extends Error {
  readonly code = 'ORIGIN_GAP';

  constructor(
    /** The origin's last stored sequence in the room. */
    readonly recorded: number,
  ) {
    super(`an earlier message of this origin is not stored (recorded ${recorded})`);
  }
}

/** A room counter's state: its epoch and the last sequence it gave. */
export interface RoomCounter {
  readonly epoch: string;
  readonly latest: number;
}

type StreamEntry = [id: string, fields: string[]];

/** A stored message, the node that sent it ('' when appended without one) and its number there. */
export interface StoredMessage {
  readonly message: ChatMessage;
  readonly origin: string;
  readonly originSequence: number;
}

const append = new RedisScript(APPEND_SCRIPT);

/** KEYS: counter hash. ARGV: epoch, lowest last sequence. Raises the counter of that epoch; 1 if it did. */
const raise = new RedisScript(`
if redis.call('HGET', KEYS[1], 'epoch') ~= ARGV[1] then return 0 end
if tonumber(redis.call('HGET', KEYS[1], 'n')) >= tonumber(ARGV[2]) then return 0 end
redis.call('HSET', KEYS[1], 'n', ARGV[2])
return 1
`);

/**
 * Each room's history as a Redis stream whose entry ids are the room's message numbers, trimmed
 * by count and age as each message is appended (the append script), and read by any node of the
 * cluster. Idle rooms' keys expire after the maximum age.
 */
export class RedisMessageHistory implements MessageHistory {
  readonly retention: HistoryRetention;
  private readonly now: () => number;

  constructor(private readonly options: RedisMessageHistoryOptions) {
    this.retention = { ...DEFAULT_RETENTION, ...options.retention };
    this.now = options.now ?? Date.now;
  }

  /** Caches the append script in Redis now, and again whenever the link comes back (a restarted Redis forgot it). */
  async prepare(): Promise<void> {
    const { redis } = this.options;
    redis.on('ready', () => void append.load(redis).catch(() => {}));
    await this.load();
  }

  /**
   * Caches the append script on every master now: a replica promoted in a Redis Cluster failover
   * has an empty script cache, and the cluster client reports no new link for it.
   */
  load(): Promise<void> {
    return append.load(this.options.redis);
  }

  async append(draft: MessageDraft): Promise<ChatMessage> {
    const stored = await this.store(draft);
    if (stored === undefined) throw new Error('append script refused a message without an origin');
    return { id: formatMessageId(stored.latest), ...draft };
  }

  /**
   * Runs the append script: numbers and stores `draft`, and publishes it when `publishing` says
   * where. Resolves with the sequence and epoch, or undefined when the origin sent it before;
   * rejects with `OriginGapError` when the origin's previous message is not stored yet.
   */
  async store(draft: MessageDraft, publishing?: Publishing): Promise<RoomCounter | undefined> {
    const { keys } = this.options;
    const { maxMessages, maxAgeMs } = this.retention;
    const reply = (await append.run(
      this.options.redis,
      [keys.roomSequence(draft.room), keys.roomLog(draft.room), keys.roomOrigins(draft.room)],
      [
        publishing?.channel ?? '',
        publishing?.origin ?? '',
        publishing?.originSequence ?? 0,
        firstSequence(this.now()),
        maxMessages,
        maxAgeMs,
        draft.ts,
        encodeDraft(draft),
        Math.max(maxAgeMs, 60_000),
        usesShardChannels(this.options.redis) ? 'SPUBLISH' : 'PUBLISH',
        publishing === undefined ? 0 : (publishing.after ?? publishing.originSequence - 1),
      ],
    )) as [string | number, string | number];
    const latest = Number(reply[0]);
    if (latest === -1) throw new OriginGapError(Number(reply[1]));
    return latest === 0 ? undefined : { epoch: String(reply[1]), latest };
  }

  async read(room: RoomName | null, { after, limit }: HistoryQuery): Promise<HistoryPage> {
    const counter = await this.counter(room);
    // No record of the room: its keys expired.
    if (counter === undefined) return pageOfUnrecordedRoom(after, this.now());
    if (after === undefined) {
      const entries = (await this.options.redis.xrevrange(
        this.options.keys.roomLog(room),
        '+',
        '-',
        'COUNT',
        limit,
      )) as StreamEntry[];
      return {
        messages: this.fresh(room, entries)
          .map(({ message }) => message)
          .reverse(),
        complete: true,
      };
    }
    const from = parseMessageId(after) ?? 0;
    if (from >= counter.latest) return { messages: [], complete: true };
    const messages = await this.range(room, from + 1, counter.latest, limit);
    // A room's ids are consecutive: what follows `after` is whole when its next id is kept (an
    // `after` before the counter's epoch never is: the room has no record from before it).
    return { messages, complete: messages[0] !== undefined && parseMessageId(messages[0].id) === from + 1 };
  }

  /**
   * Makes the room's counter of `epoch` give numbers above `last`: a promoted replica can be
   * behind what the nodes saw. A counter of another epoch, or none, gives new numbers anyway.
   */
  async raise(room: RoomName | null, epoch: string, last: number): Promise<boolean> {
    return (await raise.run(this.options.redis, [this.options.keys.roomSequence(room)], [epoch, last])) === 1;
  }

  /** The room's counter, or undefined when the room has had no message (or it expired). */
  async counter(room: RoomName | null): Promise<RoomCounter | undefined> {
    const [epoch, latest] = await this.options.redis.hmget(this.options.keys.roomSequence(room), 'epoch', 'n');
    return epoch == null || latest == null ? undefined : { epoch, latest: Number(latest) };
  }

  /** Kept, unexpired messages numbered `from` to `to`, at most `limit`, oldest first. */
  async range(
    room: RoomName | null,
    from: number,
    to: number,
    limit = Number.MAX_SAFE_INTEGER,
  ): Promise<ChatMessage[]> {
    return (await this.entries(room, from, to, limit)).map(({ message }) => message);
  }

  /** `range`, with the node each message came from ('' when appended without one). */
  async entries(
    room: RoomName | null,
    from: number,
    to: number,
    limit = Number.MAX_SAFE_INTEGER,
  ): Promise<StoredMessage[]> {
    const stored: StoredMessage[] = [];
    let start = `0-${from}`;
    while (stored.length < limit) {
      const count = Math.min(limit - stored.length, 1000);
      const log = this.options.keys.roomLog(room);
      const entries = (await this.options.redis.xrange(log, start, `0-${to}`, 'COUNT', count)) as StreamEntry[];
      stored.push(...this.fresh(room, entries));
      const last = entries.at(-1);
      if (last === undefined || entries.length < count) break;
      start = `(${last[0]}`;
    }
    return stored.slice(0, limit);
  }

  /** The entries as messages, without those past the maximum age. */
  private fresh(room: RoomName | null, entries: StreamEntry[]): StoredMessage[] {
    const cutoff = this.now() - this.retention.maxAgeMs;
    const stored: StoredMessage[] = [];
    for (const [id, fields] of entries) {
      const draft = JSON.parse(fields[3] as string) as MessageDraft;
      if (draft.ts < cutoff) continue;
      const message = { id: formatMessageId(Number(id.slice(2))), ...draft, room };
      stored.push({ message, origin: fields[5] ?? '', originSequence: Number(fields[7] ?? 0) });
    }
    return stored;
  }
}
