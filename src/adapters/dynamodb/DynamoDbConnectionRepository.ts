import { DeleteCommand, type DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { type ConnectionId, type ConnectionRepository, toConnectionId } from '../../domain/index.js';
import { CONNECTIONS_TABLE_SCHEMA } from './connectionsTableSchema.js';

const { partitionKey: KEY, ttlAttribute: TTL } = CONNECTIONS_TABLE_SCHEMA;

const TWO_HOURS_S = 2 * 60 * 60;

export interface DynamoDbConnectionRepositoryOptions {
  /** A table shaped as `CONNECTIONS_TABLE_SCHEMA` says. */
  readonly tableName: string;
  /** Most ids in one page of `list`. */
  readonly pageSize?: number;
  /** Lifetime of a row, in seconds: API Gateway's 2-hour connection limit by default. */
  readonly ttlSeconds?: number;
  /** Clock in epoch milliseconds; tests pin it. */
  readonly now?: () => number;
}

/**
 * Connections as DynamoDB items, one per connection. Uses only PutItem, DeleteItem and Scan,
 * the actions the stack grants. Every row carries a TTL (epoch seconds) so a row
 * whose `$disconnect` never ran does not outlive the connection limit.
 */
export class DynamoDbConnectionRepository implements ConnectionRepository {
  private readonly tableName: string;
  private readonly pageSize: number;
  private readonly ttlSeconds: number;
  private readonly now: () => number;

  constructor(
    private readonly client: DynamoDBDocumentClient,
    { tableName, pageSize = 100, ttlSeconds = TWO_HOURS_S, now = Date.now }: DynamoDbConnectionRepositoryOptions,
  ) {
    if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError('pageSize must be a positive integer');
    if (!Number.isInteger(ttlSeconds) || ttlSeconds < 1) throw new RangeError('ttlSeconds must be a positive integer');
    this.tableName = tableName;
    this.pageSize = pageSize;
    this.ttlSeconds = ttlSeconds;
    this.now = now;
  }

  /** PutItem overwrites: adding twice is harmless and refreshes the TTL. */
  async add(id: ConnectionId): Promise<void> {
    const expiresAt = this.nowSeconds() + this.ttlSeconds;
    await this.client.send(new PutCommand({ TableName: this.tableName, Item: { [KEY]: id, [TTL]: expiresAt } }));
  }

  /** DeleteItem of an absent key succeeds: removing twice is harmless. */
  async remove(id: ConnectionId): Promise<void> {
    await this.client.send(new DeleteCommand({ TableName: this.tableName, Key: { [KEY]: id } }));
  }

  /**
   * Follows `LastEvaluatedKey` to the end of the table, so nothing past one Scan page (or
   * 1 MB) is dropped. Each Scan asks for one item more than a page: DynamoDB answers a full
   * final page with a `LastEvaluatedKey` too, and the look-ahead item spares that trailing
   * empty request, so N connections cost at most ceil(N / pageSize) Scans. Rows past their TTL
   * (DynamoDB deletes them lazily) are filtered out.
   */
  async *list(): AsyncIterable<readonly ConnectionId[]> {
    const buffer: ConnectionId[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await this.client.send(
        new ScanCommand({
          TableName: this.tableName,
          Limit: this.pageSize + 1,
          ProjectionExpression: '#key',
          FilterExpression: '#ttl > :now',
          ExpressionAttributeNames: { '#key': KEY, '#ttl': TTL },
          ExpressionAttributeValues: { ':now': this.nowSeconds() },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) buffer.push(toConnectionId(String(item[KEY])));
      while (buffer.length >= this.pageSize) yield buffer.splice(0, this.pageSize);
      startKey = page.LastEvaluatedKey;
    } while (startKey !== undefined);
    if (buffer.length > 0) yield buffer;
  }

  private nowSeconds(): number {
    return Math.floor(this.now() / 1000);
  }
}
