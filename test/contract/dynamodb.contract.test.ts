import { BatchWriteCommand, DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import {
  CONNECTIONS_TABLE_SCHEMA,
  DynamoDbConnectionRepository,
  DynamoDbMessageHistory,
  ROOM_ITEM,
  ROOMS_TABLE_SCHEMA,
} from '../../src/adapters/dynamodb/index.js';
import { forEachBounded } from '../../src/application/index.js';
import { type DynamoServer, freshTable, startDynamoServer } from '../support/dynamo.js';
import { connectionRepositoryContract } from './connectionRepositoryContract.js';
import { messageHistoryContract } from './messageHistoryContract.js';

let server: DynamoServer;
beforeAll(async () => {
  server = await startDynamoServer();
});
afterAll(async () => {
  await server.close();
});

connectionRepositoryContract('DynamoDbConnectionRepository', async ({ pageSize }) => {
  const { tableName, roomsTableName, client } = await freshTable(server.endpoint);
  return {
    repository: new DynamoDbConnectionRepository(client, { tableName, roomsTableName, pageSize }),
    close: async () => client.destroy(),
    // The items `add` and `joinRoom` write, 25 to a BatchWriteItem: one by one, 5,000 members
    // take dynalite over a minute.
    async seedRoom(room, connections) {
      const expiresAt = Math.floor(Date.now() / 1000) + 60 * 60;
      const identities = connections.map(({ id, format, name, user, nameLocked }) => ({
        id,
        nameLocked,
        identity: { format, name, expiresAt, ...(user === undefined ? {} : { user }) },
      }));
      const puts = [
        ...identities.map(({ id, nameLocked, identity }) => ({
          table: tableName,
          item: { [CONNECTIONS_TABLE_SCHEMA.partitionKey]: id, ...identity, nameLocked, rooms: new Set([room]) },
        })),
        ...identities.map(({ id, identity }) => ({
          table: roomsTableName,
          item: {
            [ROOMS_TABLE_SCHEMA.partitionKey]: room,
            [ROOMS_TABLE_SCHEMA.sortKey]: ROOM_ITEM.member(id),
            ...identity,
          },
        })),
      ];
      const batches = Array.from({ length: Math.ceil(puts.length / 25) }, (_, i) => puts.slice(i * 25, i * 25 + 25));
      await forEachBounded(batches, 8, async (batch) => {
        let requests: Record<string, Record<string, unknown>[]> | undefined = {};
        for (const { table, item } of batch)
          requests[table] = [...(requests[table] ?? []), { PutRequest: { Item: item } }];
        while (requests !== undefined && Object.keys(requests).length > 0) {
          const { UnprocessedItems } = await client.send(new BatchWriteCommand({ RequestItems: requests }));
          requests = UnprocessedItems as typeof requests;
        }
      });
    },
  };
});

messageHistoryContract('DynamoDbMessageHistory', async ({ retention, now }) => {
  const { roomsTableName, client } = await freshTable(server.endpoint);
  return {
    history: new DynamoDbMessageHistory(client, { tableName: roomsTableName, ...retention, now }),
    // The TTL deleted every item of the table: counters and messages.
    async forget() {
      let start: Record<string, unknown> | undefined;
      do {
        const page = await client.send(new ScanCommand({ TableName: roomsTableName, ExclusiveStartKey: start }));
        for (const Key of page.Items ?? []) {
          await client.send(new DeleteCommand({ TableName: roomsTableName, Key: { room: Key.room, key: Key.key } }));
        }
        start = page.LastEvaluatedKey;
      } while (start !== undefined);
      return new DynamoDbMessageHistory(client, { tableName: roomsTableName, ...retention, now });
    },
    close: async () => client.destroy(),
  };
});
