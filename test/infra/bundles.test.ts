import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';
import { repoRoot, synthChatStack } from './synthChatStack.js';

const run = promisify(execFile);

/** Loads a bundle as the Lambda runtime would (SDK v3 from outside the bundle) and runs one event. */
const invoker = `
const { handler } = require(process.argv[1]);
handler(JSON.parse(process.argv[2]), {}).then(
  (result) => { process.stdout.write(JSON.stringify(result)); process.exit(0); },
  (error) => { console.error(error); process.exit(1); },
);`;

interface Post {
  readonly path: string;
  readonly body: string;
}

/** The stage's management API as far as the handlers use it: POST @connections/{id}. */
async function startManagementApi(): Promise<{ server: Server; endpoint: string; posts: Post[] }> {
  const posts: Post[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      posts.push({ path: `${request.method} ${request.url}`, body: Buffer.concat(chunks).toString('utf8') });
      response.writeHead(200).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, endpoint: `http://127.0.0.1:${port}/production`, posts };
}

const event = (routeKey: string, connectionId: string, body?: string) => ({
  requestContext: {
    routeKey,
    eventType: routeKey === '$connect' ? 'CONNECT' : routeKey === '$disconnect' ? 'DISCONNECT' : 'MESSAGE',
    connectionId,
    domainName: 'example.execute-api.eu-west-1.amazonaws.com',
    stage: 'production',
    apiId: 'example',
    requestId: 'request',
    extendedRequestId: 'request',
    messageDirection: 'IN',
    connectedAt: Date.now(),
    requestTimeEpoch: Date.now(),
    requestTime: new Date().toUTCString(),
  },
  ...(body === undefined ? {} : { body }),
  isBase64Encoded: false,
});

// In order: each step starts from the table the previous one left.
describe('the bundles CDK deploys', () => {
  const chat = synthChatStack();
  let dynamo: CountingDynalite;
  let management: Awaited<ReturnType<typeof startManagementApi>>;
  let table: Awaited<ReturnType<typeof freshTable>>;

  beforeAll(async () => {
    dynamo = await startDynalite();
    table = await freshTable(dynamo.endpoint);
    management = await startManagementApi();
  });
  afterAll(async () => {
    await dynamo?.close();
    management?.server.close();
  });

  const invoke = async (route: string, payload: ReturnType<typeof event>) => {
    const { stdout } = await run(process.execPath, ['-e', invoker, chat.bundleOf(route), JSON.stringify(payload)], {
      env: {
        PATH: process.env.PATH,
        // The runtime resolves SDK v3 from outside the bundle; here, the project's node_modules.
        NODE_PATH: join(repoRoot, 'node_modules'),
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        CONNECTIONS_TABLE: table.tableName,
        ROOMS_TABLE: table.roomsTableName,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        APIGW_MANAGEMENT_ENDPOINT: management.endpoint,
      },
    });
    return JSON.parse(stdout) as { statusCode: number };
  };

  it('leaves SDK v3 to the runtime and bundles everything else', () => {
    for (const route of ['$connect', 'sendMessage'] as const) {
      const bundle = readFileSync(chat.bundleOf(route), 'utf8');
      expect(bundle).toMatch(/require\("@aws-sdk\/lib-dynamodb"\)/);
      expect(bundle).not.toMatch(/require\("(inversify|reflect-metadata)"\)/);
    }
  });

  it('connect records the connection with its TTL', async () => {
    for (const connectionId of ['AAAAAAAAAAA=', 'BBBB']) {
      expect(await invoke('$connect', event('$connect', connectionId))).toEqual({ statusCode: 200 });
      const { Item } = await table.client.send(new GetCommand({ TableName: table.tableName, Key: { connectionId } }));
      expect(Item?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it('sendMessage broadcasts through the management API to every connection', async () => {
    management.posts.length = 0;
    const body = JSON.stringify({ action: 'sendMessage', data: 'hello world' });
    expect(await invoke('sendMessage', event('sendMessage', 'BBBB', body))).toEqual({ statusCode: 200 });
    expect(management.posts.map((post) => post.body)).toEqual(['hello world', 'hello world']);
    expect(management.posts.map((post) => post.path).sort()).toEqual([
      'POST /production/@connections/AAAAAAAAAAA%3D',
      'POST /production/@connections/BBBB',
    ]);
  });

  it('default answers the sender alone', async () => {
    management.posts.length = 0;
    expect(await invoke('$default', event('$default', 'BBBB', '{"action":"nope"}'))).toEqual({ statusCode: 200 });
    expect(management.posts).toEqual([
      { path: 'POST /production/@connections/BBBB', body: 'Error: Invalid action type' },
    ]);
  });

  it('disconnect removes the connection', async () => {
    expect(await invoke('$disconnect', event('$disconnect', 'BBBB'))).toEqual({ statusCode: 200 });
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: { connectionId: 'BBBB' } }),
    );
    expect(Item).toBeUndefined();
  });
});
