import { afterAll, beforeAll } from 'vitest';
import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/index.js';
import { type DynamoServer, freshTable, startDynamoServer } from '../support/dynamo.js';
import { connectionRepositoryContract } from './connectionRepositoryContract.js';

let server: DynamoServer;
beforeAll(async () => {
  server = await startDynamoServer();
});
afterAll(async () => {
  await server.close();
});

connectionRepositoryContract('DynamoDbConnectionRepository', async ({ pageSize }) => {
  const { tableName, client } = await freshTable(server.endpoint);
  return {
    repository: new DynamoDbConnectionRepository(client, { tableName, pageSize }),
    close: async () => client.destroy(),
  };
});
