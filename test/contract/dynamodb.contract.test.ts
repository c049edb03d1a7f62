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
    close: async () => client.destroy(),
  };
});
