import {
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
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
import { GLOBAL_ROOM_KEY, ROOM_ITEM, ROOMS_TABLE_SCHEMA } from './tableSchemas.js';

const { partitionKey: ROOM, sortKey: KEY } = ROOMS_TABLE_SCHEMA;

export interface DynamoDbMessageHistoryOptions extends Partial<HistoryRetention> {
  /** Table shaped as `ROOMS_TABLE_SCHEMA` says. */
  readonly tableName: string;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
  /**
   * The longest an append can take from being numbered to being stored: its writer's time limit
   * (the `sendMessage` function's timeout) with a margin. A missing message numbered more
   * recently than this may still be on its way; one numbered earlier never comes.
   */
  readonly writeTimeoutMs?: number;
}

/** `sendMessage`'s 60 s timeout, and 5 s for a request still in flight when it ends. */
export const DEFAULT_WRITE_TIMEOUT_MS = 65_000;

/** A stored message as a read finds it: `prev` is when the message before it was numbered. */
interface Found {
  readonly sequence: number;
  readonly message: ChatMessage;
  readonly expired: boolean;
  readonly prev: number | undefined;
}

/** The room's counter: the last number given, where the numbering started, and when it last gave one. */
interface Counter {
  readonly latest: number;
  readonly first: number;
  readonly at: number;
}

/**
 * Each room's messages as items of its partition (`message#<id>`), numbered by a counter item of
 * the same partition: one conditional-free UpdateItem and one PutItem per message, and reads are
 * Queries of that partition. The TTL attribute does the age part of the retention; the count part
 * is read off the counter (messages more than `maxMessages` behind it are not served).
 *
 * An append takes its number before it stores the message, so a reader can find a later message
 * stored while an earlier one is still being written. Numbers of a room are consecutive, so the
 * reader sees the hole, and it tells a message on its way from one that is gone by when the
 * missing number was given: the counter keeps when it last gave a number (`at`), and each
 * message keeps when the number before it was given (`prev`, read back from the counter by the
 * same UpdateItem). A hole numbered within `writeTimeoutMs` may still be filled: a read ends
 * its page before it, and says nothing is missing; an older one is gone (retention, or a
 * writer that failed), and the read goes past it and says so. A hole of several numbers is
 * judged by its newest, so while it may be filled the read says nothing is missing even if older
 * numbers in it are gone; it says so once that newest is stored or can no longer be.
 *
 * Cost: no extra request per message (two more number attributes, on the counter and on the
 * message); a read after an id costs what it did; a read of the latest messages also reads back
 * through the messages numbered within `writeTimeoutMs` below its page (at most `maxMessages` in
 * all), to make sure none of them is still on its way: in a room of R messages a second, up to
 * R x 65 s more items by default.
 */
export class DynamoDbMessageHistory implements MessageHistory {
  private readonly retention: HistoryRetention;
  private readonly now: () => number;
  private readonly writeTimeoutMs: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbMessageHistoryOptions,
  ) {
    this.retention = { ...DEFAULT_RETENTION, ...options };
    this.now = options.now ?? Date.now;
    this.writeTimeoutMs = options.writeTimeoutMs ?? DEFAULT_WRITE_TIMEOUT_MS;
  }

  /**
   * Numbers the message with the room's counter (created at the current time in microseconds,
   * and kept as long as the messages it numbers), then stores it with its expiry and when the
   * number before it was given.
   */
  async append(draft: MessageDraft): Promise<ChatMessage> {
    const room = keyOf(draft.room);
    const expiresAt = Math.ceil((draft.ts + this.retention.maxAgeMs) / 1000);
    const now = this.now();
    const first = firstSequence(now);
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: { [ROOM]: room, [KEY]: ROOM_ITEM.sequence },
        UpdateExpression:
          'SET #seq = if_not_exists(#seq, :first) + :one, #first = if_not_exists(#first, :first), #at = :now, expiresAt = :expires',
        ExpressionAttributeNames: { '#seq': 'seq', '#first': 'first', '#at': 'at' },
        ExpressionAttributeValues: { ':first': first, ':one': 1, ':now': now, ':expires': expiresAt },
        ReturnValues: 'UPDATED_OLD',
      }),
    );
    const sequence = (Attributes?.seq === undefined ? first : Number(Attributes.seq)) + 1;
    const message: ChatMessage = { id: formatMessageId(sequence), ...draft };
    if (this.retention.maxMessages > 0) {
      const { id, from, ts, data } = message;
      const prev = Attributes?.at === undefined ? {} : { prev: Number(Attributes.at) };
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { [ROOM]: room, [KEY]: ROOM_ITEM.message(id), from, ts, data, expiresAt, ...prev },
        }),
      );
    }
    return message;
  }

  async read(room: RoomName | null, { after, limit }: HistoryQuery): Promise<HistoryPage> {
    const now = this.now();
    const counter = await this.counter(room);
    if (counter === undefined) return pageOfUnrecordedRoom(after, now);
    const { latest, first } = counter;
    const floor = Math.max(latest - this.retention.maxMessages + 1, first + 1);
    const settled = now - Math.min(this.writeTimeoutMs, this.retention.maxAgeMs);
    if (after === undefined) {
      return { messages: await this.latest(room, counter, floor, limit, settled), complete: true };
    }
    const from = parseMessageId(after) ?? 0;
    if (from >= latest) return { messages: [], complete: true };
    // Before the numbering started, or below what the count keeps: some of what followed is gone.
    let complete = from >= first && from + 1 >= floor;
    const messages: ChatMessage[] = [];
    let expected = Math.max(from + 1, floor);
    for await (const found of this.query(room, expected, latest, true, limit)) {
      if (found.sequence > expected) {
        // A hole: on its way if the number before this message was given lately.
        if (found.prev !== undefined && found.prev >= settled) return { messages, complete };
        complete = false;
      }
      expected = found.sequence + 1;
      if (found.expired) complete = false;
      else messages.push(found.message);
      if (messages.length >= limit) return { messages, complete };
    }
    // Numbers given past the last stored message: on their way, unless given long ago.
    if (expected <= latest && counter.at < settled) complete = false;
    return { messages, complete };
  }

  /**
   * The newest `limit` messages that no message still on its way precedes: read newest first,
   * down past every hole that may yet be filled, dropping what was read above such a hole.
   */
  private async latest(
    room: RoomName | null,
    counter: Counter,
    floor: number,
    limit: number,
    settled: number,
  ): Promise<ChatMessage[]> {
    let kept: ChatMessage[] = [];
    let expected = counter.latest;
    // When the number at `expected` was given: the counter's last, then each message's `prev`.
    let givenAt: number | undefined = counter.at;
    for await (const found of this.query(room, floor, counter.latest, false, limit)) {
      if (found.sequence < expected && givenAt !== undefined && givenAt >= settled) kept = [];
      if (!found.expired && kept.length < limit) kept.push(found.message);
      expected = found.sequence - 1;
      givenAt = found.prev;
      // Every number below this message was given before `prev`: none of them is on its way.
      if (kept.length >= limit && (givenAt === undefined || givenAt < settled)) break;
    }
    if (expected >= floor && givenAt !== undefined && givenAt >= settled) kept = [];
    return kept.reverse();
  }

  private async counter(room: RoomName | null): Promise<Counter | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { [ROOM]: keyOf(room), [KEY]: ROOM_ITEM.sequence },
        ConsistentRead: true,
      }),
    );
    if (Item === undefined) return undefined;
    // A counter written before `first` and `at` were kept: nothing of it is still on its way.
    return { latest: Number(Item.seq), first: Number(Item.first ?? 0), at: Number(Item.at ?? 0) };
  }

  /**
   * Stored messages numbered `low` to `high`, in the given order, expired ones included (flagged):
   * a read tells them from holes. Pages of `pageSize`, fetched as they are consumed.
   */
  private async *query(
    room: RoomName | null,
    low: number,
    high: number,
    ascending: boolean,
    pageSize: number,
  ): AsyncGenerator<Found> {
    if (low > high) return;
    const nowSeconds = Math.floor(this.now() / 1000);
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#room = :room AND #key BETWEEN :low AND :high',
          ExpressionAttributeNames: { '#room': ROOM, '#key': KEY },
          ExpressionAttributeValues: {
            ':room': keyOf(room),
            ':low': ROOM_ITEM.message(formatMessageId(low)),
            ':high': ROOM_ITEM.message(formatMessageId(high)),
          },
          ScanIndexForward: ascending,
          Limit: pageSize,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const id = String(item[KEY]).slice(ROOM_ITEM.messagePrefix.length);
        yield {
          sequence: Number(id),
          message: { id, room, from: item.from, ts: item.ts, data: item.data },
          expired: Number(item.expiresAt) <= nowSeconds,
          prev: item.prev === undefined ? undefined : Number(item.prev),
        };
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
  }
}

const keyOf = (room: RoomName | null): string => room ?? GLOBAL_ROOM_KEY;
