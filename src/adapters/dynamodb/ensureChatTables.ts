import {
  CreateTableCommand,
  type CreateTableCommandInput,
  DescribeTableCommand,
  type DynamoDBClient,
  ResourceNotFoundException,
} from '@aws-sdk/client-dynamodb';
import { CONNECTIONS_TABLE_SCHEMA, ROOMS_TABLE_SCHEMA } from './tableSchemas.js';

/** Names of the chat's tables. */
export interface ChatTables {
  readonly connections: string;
  readonly rooms: string;
}

/**
 * Creates the chat's tables (on demand, keyed as the schemas say) unless they exist, and waits
 * until they are active. For local stores and tests: on AWS the stack owns the tables.
 */
export async function ensureChatTables(client: DynamoDBClient, tables: ChatTables): Promise<void> {
  const { partitionKey } = CONNECTIONS_TABLE_SCHEMA;
  await ensureTable(client, {
    TableName: tables.connections,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [{ AttributeName: partitionKey, AttributeType: 'S' }],
    KeySchema: [{ AttributeName: partitionKey, KeyType: 'HASH' }],
  });
  const rooms = ROOMS_TABLE_SCHEMA;
  await ensureTable(client, {
    TableName: tables.rooms,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: rooms.partitionKey, AttributeType: 'S' },
      { AttributeName: rooms.sortKey, AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: rooms.partitionKey, KeyType: 'HASH' },
      { AttributeName: rooms.sortKey, KeyType: 'RANGE' },
    ],
  });
}

async function ensureTable(client: DynamoDBClient, input: CreateTableCommandInput): Promise<void> {
  const TableName = input.TableName;
  try {
    await client.send(new DescribeTableCommand({ TableName }));
  } catch (error) {
    if (!(error instanceof ResourceNotFoundException)) throw error;
    await client.send(new CreateTableCommand(input));
  }
  for (let attempt = 0; attempt < 100; attempt++) {
    const { Table } = await client.send(new DescribeTableCommand({ TableName }));
    if (Table?.TableStatus === 'ACTIVE') return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`table ${TableName} did not become active`);
}
