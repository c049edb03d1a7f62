import { type DynamoDBDocumentClient, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import type { AudiencePart, AudienceParts, ConnectionId, Format, Member, RoomName } from '../../domain/index.js';
import { CONNECTIONS_TABLE_SCHEMA, ROOM_ITEM, ROOMS_TABLE_SCHEMA } from './tableSchemas.js';

const ID = CONNECTIONS_TABLE_SCHEMA.partitionKey;
const { partitionKey: ROOM, sortKey: KEY } = ROOMS_TABLE_SCHEMA;

export interface DynamoDbAudiencePartsOptions {
  readonly tableName: string;
  readonly roomsTableName: string;
  /** Parallel Scan segments the global audience is cut into: one worker each. */
  readonly segments: number;
  /** Members (items evaluated) of a room in one part: one worker each. */
  readonly roomPartSize: number;
  /** Most items one read asks for. */
  readonly pageSize: number;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
}

type Key = Record<string, unknown>;

/** Where a part stands: a Scan segment, or a run of a room's items from a key. */
type Cursor =
  | { readonly segment: number; readonly of: number; readonly start?: Key }
  | { readonly start?: Key; readonly remaining: number };

/** What a read needs of a stored connection or membership. */
interface StoredMember {
  readonly format: Format;
  readonly name: string;
  readonly user?: string;
}

/**
 * The audience in parts for separate workers. Every connection: the segments of a parallel Scan,
 * which DynamoDB itself keeps disjoint, so nothing is read before the workers start. A room: its
 * partition is one ordered Query, so the room is walked once for its keys (the read units of one
 * pass) and cut into runs of `roomPartSize` items, each a start key and a count. Either way each
 * item is in exactly one part, and a part's `rest` carries on exactly where its read stopped.
 */
export class DynamoDbAudienceParts implements AudienceParts {
  /** DynamoDB requests made, for tests and the invocation's log. */
  readonly stats = { reads: 0 };

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbAudiencePartsOptions,
  ) {
    for (const name of ['segments', 'roomPartSize', 'pageSize'] as const) {
      const value = options[name];
      if (!Number.isInteger(value) || value < 1) throw new RangeError(`${name} must be a positive integer`);
    }
    // DynamoDB's own bound on TotalSegments.
    if (options.segments > 1_000_000) throw new RangeError('segments must be at most 1,000,000');
  }

  async split(room: RoomName | null): Promise<readonly AudiencePart[]> {
    if (room === null) {
      const of = this.options.segments;
      return Array.from({ length: of }, (_, segment) => ({ room, cursor: { segment, of } satisfies Cursor }));
    }
    const parts: AudiencePart[] = [];
    const remaining = this.options.roomPartSize;
    let start: Key | undefined;
    do {
      parts.push({ room, cursor: (start === undefined ? { remaining } : { start, remaining }) satisfies Cursor });
      const page = await this.query(room, start, remaining, true);
      start = page.LastEvaluatedKey;
    } while (start !== undefined);
    return parts;
  }

  async read(part: AudiencePart): Promise<{ members: readonly Member[]; rest: AudiencePart | undefined }> {
    const cursor = part.cursor as Cursor;
    if (part.room === null) {
      if (!('segment' in cursor)) throw new RangeError('a part of every connection is a Scan segment');
      const page = await this.scan(cursor);
      const members = (page.Items ?? []).map((item) => member(String(item[ID]), item as StoredMember));
      const next = page.LastEvaluatedKey;
      return { members, rest: next === undefined ? undefined : { room: null, cursor: { ...cursor, start: next } } };
    }
    if ('segment' in cursor) throw new RangeError("a part of a room is a run of the room's members");
    const page = await this.query(part.room, cursor.start, Math.min(this.options.pageSize, cursor.remaining), false);
    const members = (page.Items ?? []).map((item) =>
      member(String(item[KEY]).slice(ROOM_ITEM.memberPrefix.length), item as StoredMember),
    );
    // Limit counts items evaluated before the filter, so the run's count does too: parts meet exactly.
    const remaining = cursor.remaining - (page.ScannedCount ?? 0);
    const next = page.LastEvaluatedKey;
    const rest =
      next === undefined || remaining <= 0 ? undefined : { room: part.room, cursor: { start: next, remaining } };
    return { members, rest };
  }

  private scan({ segment, of, start }: { segment: number; of: number; start?: Key }) {
    this.stats.reads++;
    return this.client.send(
      new ScanCommand({
        TableName: this.options.tableName,
        Segment: segment,
        TotalSegments: of,
        Limit: this.options.pageSize,
        ProjectionExpression: '#id, #format, #name, #user',
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeNames: { '#id': ID, '#format': 'format', '#name': 'name', '#user': 'user' },
        ExpressionAttributeValues: { ':now': this.nowSeconds() },
        ExclusiveStartKey: start,
      }),
    );
  }

  /** A run of the room's membership items; `keysOnly` for the walk that cuts the room into parts. */
  private query(room: RoomName, start: Key | undefined, limit: number, keysOnly: boolean) {
    this.stats.reads++;
    return this.client.send(
      new QueryCommand({
        TableName: this.options.roomsTableName,
        Limit: limit,
        KeyConditionExpression: '#room = :room AND begins_with(#key, :member)',
        ExpressionAttributeNames: { '#room': ROOM, '#key': KEY },
        ExpressionAttributeValues: {
          ':room': room,
          ':member': ROOM_ITEM.memberPrefix,
          ...(keysOnly ? {} : { ':now': this.nowSeconds() }),
        },
        ...(keysOnly ? { ProjectionExpression: '#room, #key' } : { FilterExpression: 'expiresAt > :now' }),
        ExclusiveStartKey: start,
      }),
    );
  }

  private nowSeconds(): number {
    return Math.floor((this.options.now ?? Date.now)() / 1000);
  }
}

function member(id: string, { format, name, user }: StoredMember): Member {
  const base = { id: id as ConnectionId, format, name };
  return user === undefined ? base : { ...base, user };
}
