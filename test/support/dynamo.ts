import { randomUUID } from 'node:crypto';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { GenericContainer, getContainerRuntimeClient, type StartedTestContainer } from 'testcontainers';
import { CONNECTIONS_TABLE_SCHEMA, ensureChatTables } from '../../src/adapters/dynamodb/index.js';
import {
  localDynamoDbClient,
  startDynalite as startLocalDynalite,
} from '../../src/entrypoints/aws-local/localDynamo.js';

/** A DynamoDB-compatible server for tests. */
export interface DynamoServer {
  readonly endpoint: string;
  readonly kind: 'dynalite' | 'dynamodb-local' | 'external';
  close(): Promise<void>;
}

/** An in-process, in-memory dynalite on loopback, counting requests by action (`Scan`, `PutItem`...). */
export interface CountingDynalite extends DynamoServer {
  readonly requests: Map<string, number>;
  count(action: string): number;
}

export async function startDynalite(): Promise<CountingDynalite> {
  const { endpoint, server, close } = await startLocalDynalite();
  const requests = new Map<string, number>();
  server.on('request', (request) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.slice(target.indexOf('.') + 1);
    requests.set(action, (requests.get(action) ?? 0) + 1);
  });
  return { endpoint, kind: 'dynalite', requests, count: (action) => requests.get(action) ?? 0, close };
}

/**
 * The server the DynamoDB contract runs against: `DYNAMODB_ENDPOINT` if set, else DynamoDB
 * Local through testcontainers where a container runtime answers, else dynalite in process.
 */
export async function startDynamoServer(): Promise<DynamoServer> {
  const explicit = process.env.DYNAMODB_ENDPOINT;
  if (explicit !== undefined && explicit !== '') {
    return { endpoint: explicit, kind: 'external', close: async () => {} };
  }
  if (await containerRuntimeAvailable()) {
    const container: StartedTestContainer = await new GenericContainer('amazon/dynamodb-local')
      .withExposedPorts(8000)
      .start();
    return {
      endpoint: `http://${container.getHost()}:${container.getMappedPort(8000)}`,
      kind: 'dynamodb-local',
      close: async () => {
        await container.stop();
      },
    };
  }
  return startDynalite();
}

async function containerRuntimeAvailable(): Promise<boolean> {
  try {
    await getContainerRuntimeClient();
    return true;
  } catch {
    return false;
  }
}

/** Fresh, uniquely named chat tables on `endpoint`, and a document client for them. */
export async function freshTable(
  endpoint: string,
): Promise<{ tableName: string; roomsTableName: string; client: DynamoDBDocumentClient }> {
  const raw = localDynamoDbClient(endpoint);
  const suffix = randomUUID();
  const tables = { connections: `connections-${suffix}`, rooms: `rooms-${suffix}` };
  await ensureChatTables(raw, tables);
  return { tableName: tables.connections, roomsTableName: tables.rooms, client: DynamoDBDocumentClient.from(raw) };
}

/** Every connection id stored in `tableName`, sorted. */
export async function storedIds(client: DynamoDBDocumentClient, tableName: string): Promise<string[]> {
  const ids: string[] = [];
  let startKey: Record<string, unknown> | undefined;
  do {
    const page = await client.send(new ScanCommand({ TableName: tableName, ExclusiveStartKey: startKey }));
    for (const item of page.Items ?? []) ids.push(String(item[CONNECTIONS_TABLE_SCHEMA.partitionKey]));
    startKey = page.LastEvaluatedKey;
  } while (startKey !== undefined);
  return ids.sort();
}
