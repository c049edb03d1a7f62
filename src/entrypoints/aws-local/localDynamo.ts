import type { AddressInfo } from 'node:net';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';
import dynalite from 'dynalite';

/** Credentials for local DynamoDB-compatible servers, which check none. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** A DynamoDB client for a local endpoint: region and dummy credentials included. */
export function localDynamoDbClient(endpoint: string, extra: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({ endpoint, region: 'local', credentials: LOCAL_CREDENTIALS, ...extra });
}

/** An in-memory dynalite on loopback, ready in milliseconds. */
export interface LocalDynalite {
  readonly endpoint: string;
  readonly server: ReturnType<typeof dynalite>;
  close(): Promise<void>;
}

export async function startDynalite(): Promise<LocalDynalite> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    server,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
