import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  BatchWriteCommand,
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  ScanCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type Connection,
  type ConnectionId,
  type ConnectionRepository,
  type Format,
  type FrameAdmission,
  floodedLongEnough,
  floodGapMs,
  type Identity,
  type Member,
  type MemberList,
  type NewConnection,
  type RateLimit,
  type RoomJoin,
  type RoomName,
} from '../../domain/index.js';
import { type Fetched, pages } from './pages.js';
import { CONNECTIONS_TABLE_SCHEMA, ROOM_ITEM, ROOMS_TABLE_SCHEMA } from './tableSchemas.js';

const ID = CONNECTIONS_TABLE_SCHEMA.partitionKey;
const { partitionKey: ROOM, sortKey: KEY } = ROOMS_TABLE_SCHEMA;
const TWO_HOURS_S = 2 * 60 * 60;

export interface DynamoDbConnectionRepositoryOptions {
  /** Table shaped as `CONNECTIONS_TABLE_SCHEMA` says. */
  readonly tableName: string;
  /** Table shaped as `ROOMS_TABLE_SCHEMA` says. */
  readonly roomsTableName: string;
  /** Most members in one page of `list`. */
  readonly pageSize?: number;
  /** Lifetime of a row, in seconds: API Gateway's 2-hour connection limit by default. */
  readonly ttlSeconds?: number;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
}

/** What a connection's item and its membership items hold besides their keys. */
interface StoredMember {
  readonly format: Format;
  readonly name: string;
  readonly user?: string;
  readonly expiresAt: number;
}

/**
 * Connections as one item each (name, format, rooms as a string set) and room memberships as
 * items of the room's partition in the rooms table, so a room's audience is one Query that
 * touches no other room; the global audience is a Scan of the connections. Every item carries
 * the connection's TTL, so nothing outlives the 2-hour connection limit when `$disconnect` never
 * runs. Membership items repeat the member's name and format: a broadcast or member list reads
 * the room's partition and nothing else.
 */
export class DynamoDbConnectionRepository implements ConnectionRepository {
  private readonly pageSize: number;
  private readonly ttlSeconds: number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    private readonly options: DynamoDbConnectionRepositoryOptions,
  ) {
    const { pageSize = 100, ttlSeconds = TWO_HOURS_S } = options;
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError('ttlSeconds must be a positive integer');
    this.pageSize = pageSize;
    this.ttlSeconds = ttlSeconds;
  }

  /** PutItem overwrites: adding twice is harmless and refreshes the TTL. */
  async add({ id, format, name, user, nameLocked }: NewConnection): Promise<void> {
    const expiresAt = this.nowSeconds() + this.ttlSeconds;
    const item = { [ID]: id, format, name, nameLocked, expiresAt, ...(user === undefined ? {} : { user }) };
    await this.client.send(new PutCommand({ TableName: this.options.tableName, Item: item }));
  }

  /** Deletes the connection's item (which answers with what it held), then its memberships; an absent key is harmless. */
  async remove(id: ConnectionId): Promise<Connection | undefined> {
    const { Attributes } = await this.client.send(
      new DeleteCommand({ TableName: this.options.tableName, Key: { [ID]: id }, ReturnValues: 'ALL_OLD' }),
    );
    if (Attributes === undefined) return undefined;
    await this.deleteMemberships(id, roomsOf(Attributes));
    return this.connectionOf(id, Attributes, true);
  }

  /** A strongly consistent read: a room joined by the previous frame is seen by the next. */
  async get(id: ConnectionId): Promise<Connection | undefined> {
    const { Item } = await this.client.send(
      new GetCommand({ TableName: this.options.tableName, Key: { [ID]: id }, ConsistentRead: true }),
    );
    return this.connectionOf(id, Item);
  }

  /**
   * The rate limit's state (`tat`; `floodSince` and `floodLast` of a flood) lives in the
   * connection's item, changed only by conditional updates, so concurrent invocations for one
   * connection charge it exactly. A frame after a pause costs one UpdateItem, one of a burst two,
   * one over the limit three or four; each returns the record, so no read is needed besides.
   */
  async admit(id: ConnectionId, limit: RateLimit, now: number): Promise<FrameAdmission> {
    const interval = 1000 / limit.perSecond;
    // Idle, or its first frame: due now. Most frames of a person typing are this case: one write.
    const idle = await this.updateIf(
      id,
      'SET tat = :next',
      'attribute_exists(#id) AND (attribute_not_exists(tat) OR tat < :now)',
      { ':next': now + interval, ':now': now },
    );
    if (idle !== undefined) return { connection: this.connectionOf(id, idle), verdict: 'allowed' };
    // Busy: its next frame is due later, but within the burst.
    const busy = await this.updateIf(id, 'SET tat = tat + :interval', 'tat BETWEEN :now AND :ceiling', {
      ':interval': interval,
      ':now': now,
      ':ceiling': now + (limit.burst - 1) * interval,
    });
    if (busy !== undefined) return { connection: this.connectionOf(id, busy), verdict: 'allowed' };
    // Over the limit: part of the flood under way if its last frame is recent, else a new one.
    const going = await this.updateIf(id, 'SET floodLast = :now', 'floodLast >= :recent', {
      ':now': now,
      ':recent': now - floodGapMs(limit),
    });
    const over =
      going ??
      (await this.updateIf(id, 'SET floodSince = :now, floodLast = :now', 'attribute_exists(#id)', { ':now': now }));
    if (over === undefined) return { connection: undefined, verdict: 'allowed' };
    const cut = floodedLongEnough(Number(over.floodSince), now, limit);
    return { connection: this.connectionOf(id, over), verdict: cut ? 'cut' : 'limited' };
  }

  async rename(id: ConnectionId, name: string): Promise<void> {
    let rooms: RoomName[];
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { [ID]: id },
          UpdateExpression: 'SET #name = :name',
          ConditionExpression: 'attribute_exists(#id)',
          ExpressionAttributeNames: { '#name': 'name', '#id': ID },
          ExpressionAttributeValues: { ':name': name },
          ReturnValues: 'ALL_NEW',
        }),
      );
      rooms = roomsOf(Attributes);
    } catch (error) {
      if (isConditionFailure(error)) return;
      throw error;
    }
    for (const room of rooms) {
      await this.client
        .send(
          new UpdateCommand({
            TableName: this.options.roomsTableName,
            Key: { [ROOM]: room, [KEY]: ROOM_ITEM.member(id) },
            UpdateExpression: 'SET #name = :name',
            ConditionExpression: 'attribute_exists(#key)',
            ExpressionAttributeNames: { '#name': 'name', '#key': KEY },
            ExpressionAttributeValues: { ':name': name },
          }),
        )
        .catch((error: unknown) => {
          if (!isConditionFailure(error)) throw error;
        });
    }
  }

  /**
   * Adds the room to the connection's set under a condition (it exists, is not a member, is
   * under the maximum), then writes the membership; a failed write takes the room back out.
   */
  async joinRoom(id: ConnectionId, room: RoomName, maxRooms: number): Promise<RoomJoin> {
    let stored: Record<string, unknown> | undefined;
    try {
      ({ Attributes: stored } = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { [ID]: id },
          UpdateExpression: 'ADD rooms :room',
          ConditionExpression:
            'attribute_exists(#id) AND (attribute_not_exists(rooms) OR (size(rooms) < :max AND NOT contains(rooms, :name)))',
          ExpressionAttributeNames: { '#id': ID },
          ExpressionAttributeValues: { ':room': new Set([room]), ':name': room, ':max': maxRooms },
          ReturnValues: 'ALL_NEW',
        }),
      ));
    } catch (error) {
      if (!isConditionFailure(error)) throw error;
      const current = await this.get(id);
      if (current === undefined) return 'unknown-connection';
      return current.rooms.includes(room) ? 'already-member' : 'too-many-rooms';
    }
    const { format, name, user, expiresAt } = stored as unknown as StoredMember;
    const item = { [ROOM]: room, [KEY]: ROOM_ITEM.member(id), format, name, expiresAt, ...(user ? { user } : {}) };
    try {
      await this.client.send(new PutCommand({ TableName: this.options.roomsTableName, Item: item }));
    } catch (error) {
      await this.dropRoom(id, room).catch(() => {});
      throw error;
    }
    return 'joined';
  }

  async leaveRoom(id: ConnectionId, room: RoomName): Promise<boolean> {
    try {
      await this.dropRoom(id, room);
    } catch (error) {
      if (isConditionFailure(error)) return false;
      throw error;
    }
    await this.deleteMemberships(id, [room]);
    return true;
  }

  list(room: RoomName | null): AsyncIterable<readonly Member[]> {
    return pages(
      (start, limit) => (room === null ? this.scanConnections(start, limit) : this.queryRoom(room, start, limit)),
      this.pageSize,
    );
  }

  async members(room: RoomName, cap: number): Promise<MemberList> {
    const members: Identity[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.queryRoom(room, start, cap + 1 - members.length);
      for (const { name, user } of page.items) members.push(user === undefined ? { name } : { name, user });
      start = page.next;
    } while (start !== undefined && members.length <= cap);
    return { members: members.slice(0, cap), truncated: members.length > cap };
  }

  private async scanConnections(start: Record<string, unknown> | undefined, limit: number): Promise<Fetched<Member>> {
    const page = await this.client.send(
      new ScanCommand({
        TableName: this.options.tableName,
        Limit: limit,
        ProjectionExpression: '#id, #format, #name, #user',
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeNames: { '#id': ID, '#format': 'format', '#name': 'name', '#user': 'user' },
        ExpressionAttributeValues: { ':now': this.nowSeconds() },
        ExclusiveStartKey: start,
      }),
    );
    const items = (page.Items ?? []).map((item) => member(String(item[ID]), item as StoredMember));
    return { items, next: page.LastEvaluatedKey };
  }

  private async queryRoom(room: RoomName, start: Record<string, unknown> | undefined, limit: number) {
    const page = await this.client.send(
      new QueryCommand({
        TableName: this.options.roomsTableName,
        Limit: limit,
        KeyConditionExpression: '#room = :room AND begins_with(#key, :member)',
        FilterExpression: 'expiresAt > :now',
        ExpressionAttributeNames: { '#room': ROOM, '#key': KEY },
        ExpressionAttributeValues: { ':room': room, ':member': ROOM_ITEM.memberPrefix, ':now': this.nowSeconds() },
        ExclusiveStartKey: start,
      }),
    );
    const items = (page.Items ?? []).map((item) =>
      member(String(item[KEY]).slice(ROOM_ITEM.memberPrefix.length), item as StoredMember),
    );
    return { items, next: page.LastEvaluatedKey } satisfies Fetched<Member>;
  }

  /** Takes `room` out of the connection's set; fails the condition when it was not in it. */
  private async dropRoom(id: ConnectionId, room: RoomName): Promise<void> {
    await this.client.send(
      new UpdateCommand({
        TableName: this.options.tableName,
        Key: { [ID]: id },
        UpdateExpression: 'DELETE rooms :room',
        ConditionExpression: 'contains(rooms, :name)',
        ExpressionAttributeValues: { ':room': new Set([room]), ':name': room },
      }),
    );
  }

  /** Deletes memberships 25 at a time (BatchWriteItem's limit), retrying what DynamoDB left unprocessed. */
  private async deleteMemberships(id: ConnectionId, rooms: readonly RoomName[]): Promise<void> {
    for (let i = 0; i < rooms.length; i += 25) {
      let requests: Record<string, unknown>[] | undefined = rooms
        .slice(i, i + 25)
        .map((room) => ({ DeleteRequest: { Key: { [ROOM]: room, [KEY]: ROOM_ITEM.member(id) } } }));
      for (let attempt = 0; requests !== undefined && requests.length > 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50 * 2 ** Math.min(attempt, 5)));
        const { UnprocessedItems } = await this.client.send(
          new BatchWriteCommand({ RequestItems: { [this.options.roomsTableName]: requests } }),
        );
        requests = UnprocessedItems?.[this.options.roomsTableName] as Record<string, unknown>[] | undefined;
      }
    }
  }

  /** Updates the connection's item when `condition` holds; its new attributes, or undefined when it did not. */
  private async updateIf(
    id: ConnectionId,
    update: string,
    condition: string,
    values: Record<string, unknown>,
  ): Promise<Record<string, unknown> | undefined> {
    try {
      const { Attributes } = await this.client.send(
        new UpdateCommand({
          TableName: this.options.tableName,
          Key: { [ID]: id },
          UpdateExpression: update,
          ConditionExpression: condition,
          ...(condition.includes('#id') ? { ExpressionAttributeNames: { '#id': ID } } : {}),
          ExpressionAttributeValues: values,
          ReturnValues: 'ALL_NEW',
        }),
      );
      return Attributes;
    } catch (error) {
      if (isConditionFailure(error)) return undefined;
      throw error;
    }
  }

  /** The record an item holds; undefined when there is none or (unless `evenExpired`) it is past its TTL. */
  private connectionOf(
    id: ConnectionId,
    item: Record<string, unknown> | undefined,
    evenExpired = false,
  ): Connection | undefined {
    if (item === undefined || (!evenExpired && Number(item.expiresAt) <= this.nowSeconds())) return undefined;
    return {
      ...member(id, item as unknown as StoredMember),
      nameLocked: item.nameLocked === true,
      rooms: roomsOf(item),
    };
  }

  private nowSeconds(): number {
    return Math.floor((this.options.now ?? Date.now)() / 1000);
  }
}

function member(id: string, { format, name, user }: StoredMember): Member {
  const base = { id: id as ConnectionId, format, name };
  return user === undefined ? base : { ...base, user };
}

function roomsOf(item: Record<string, unknown> | undefined): RoomName[] {
  const rooms = item?.rooms;
  return rooms instanceof Set ? ([...rooms] as RoomName[]) : [];
}

function isConditionFailure(error: unknown): boolean {
  return error instanceof ConditionalCheckFailedException;
}
