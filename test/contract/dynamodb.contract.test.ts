import { DeleteCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll } from 'vitest';
import { DynamoDbConnectionRepository, DynamoDbMessageHistory } from '../../src/adapters/dynamodb/index.js';
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
