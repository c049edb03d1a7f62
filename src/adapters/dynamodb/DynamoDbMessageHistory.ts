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
}

/**
 * Each room's messages as items of its partition (`message#<id>`), numbered by a counter item of
 * the same partition: one conditional-free UpdateItem and one PutItem per message, and reads are
 * Queries of that partition. The TTL attribute does the age part of the retention; the count part
 * is read off the counter (messages more than `maxMessages` behind it are not served).
 */
export class DynamoDbMessageHistory implements MessageHistory {
  private readonly retention: HistoryRetention;
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbMessageHistoryOptions,
  ) {
    this.retention = { ...DEFAULT_RETENTION, ...options };
    this.now = options.now ?? Date.now;
  }

  /**
   * Numbers the message with the room's counter (created at the current time in microseconds,
   * and kept as long as the messages it numbers), then stores it with its expiry.
   */
  async append(draft: MessageDraft): Promise<ChatMessage> {
    const room = keyOf(draft.room);
    const expiresAt = Math.ceil((draft.ts + this.retention.maxAgeMs) / 1000);
    const { Attributes } = await this.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: { [ROOM]: room, [KEY]: ROOM_ITEM.sequence },
        UpdateExpression: 'SET #seq = if_not_exists(#seq, :first) + :one, expiresAt = :expires',
        ExpressionAttributeNames: { '#seq': 'seq' },
        ExpressionAttributeValues: { ':first': firstSequence(this.now()), ':one': 1, ':expires': expiresAt },
        ReturnValues: 'UPDATED_NEW',
      }),
    );
    const message: ChatMessage = { id: formatMessageId(Number(Attributes?.seq)), ...draft };
    if (this.retention.maxMessages > 0) {
      const { id, from, ts, data } = message;
      await this.client.send(
        new PutCommand({
          TableName: this.options.tableName,
          Item: { [ROOM]: room, [KEY]: ROOM_ITEM.message(id), from, ts, data, expiresAt },
        }),
      );
    }
    return message;
  }

  async read(room: RoomName | null, { after, limit }: HistoryQuery): Promise<HistoryPage> {
    const latest = await this.latest(room);
    if (latest === undefined) return { messages: [], complete: true };
    const floor = Math.max(latest - this.retention.maxMessages + 1, 0);
    if (after === undefined) {
      const newest = await this.query(room, floor, latest, limit, false);
      return { messages: newest.reverse(), complete: true };
    }
    const from = parseMessageId(after) ?? 0;
    if (from >= latest) return { messages: [], complete: true };
    const messages = await this.query(room, Math.max(from + 1, floor), latest, limit, true);
    // Ids of a room are consecutive: what follows `after` is whole when its next id is kept.
    const first = messages[0] === undefined ? undefined : parseMessageId(messages[0].id);
    return { messages, complete: first === from + 1 };
  }

  private async latest(room: RoomName | null): Promise<number | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({
        TableName: this.options.tableName,
        Key: { [ROOM]: keyOf(room), [KEY]: ROOM_ITEM.sequence },
        ConsistentRead: true,
      }),
    );
    return Item === undefined ? undefined : Number(Item.seq);
  }

  /** Unexpired messages numbered `low` to `high`, up to `limit`, in the given order. */
  private async query(room: RoomName | null, low: number, high: number, limit: number, ascending: boolean) {
    const messages: ChatMessage[] = [];
    if (low > high) return messages;
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new QueryCommand({
          TableName: this.options.tableName,
          KeyConditionExpression: '#room = :room AND #key BETWEEN :low AND :high',
          FilterExpression: 'expiresAt > :now',
          ExpressionAttributeNames: { '#room': ROOM, '#key': KEY },
          ExpressionAttributeValues: {
            ':room': keyOf(room),
            ':low': ROOM_ITEM.message(formatMessageId(low)),
            ':high': ROOM_ITEM.message(formatMessageId(high)),
            ':now': Math.floor(this.now() / 1000),
          },
          ScanIndexForward: ascending,
          Limit: limit - messages.length,
          ConsistentRead: true,
          ExclusiveStartKey: start,
        }),
      );
      for (const item of page.Items ?? []) {
        const id = String(item[KEY]).slice(ROOM_ITEM.messagePrefix.length);
        messages.push({ id, room, from: item.from, ts: item.ts, data: item.data });
      }
      start = page.LastEvaluatedKey;
    } while (start !== undefined && messages.length < limit);
    return messages;
  }
}

const keyOf = (room: RoomName | null): string => room ?? GLOBAL_ROOM_KEY;
