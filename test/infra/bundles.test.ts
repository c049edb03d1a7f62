import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { GetCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_ENV } from '../../src/entrypoints/lambda/config.js';
import { ROUTE_HANDLERS } from '../../src/entrypoints/lambda/routes.js';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';
import { repoRoot, routeKeys, synthChatStack } from './synthChatStack.js';

const run = promisify(execFile);

/**
 * Loads a bundle as the Lambda runtime would (SDK v3 from outside the bundle) and runs one event;
 * its answer is the last stdout line, after whatever the handler logged (its EMF metrics).
 */
const invoker = `
const { handler } = require(process.argv[1]);
const context = { getRemainingTimeInMillis: () => 60000 };
handler(JSON.parse(process.argv[2]), context).then(
  (result) => { process.stdout.write('\\n' + JSON.stringify(result)); process.exit(0); },
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

const event = (routeKey: string, connectionId: string, body?: string, query?: Record<string, string>) => ({
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
  ...(query === undefined ? {} : { queryStringParameters: query }),
  isBase64Encoded: false,
});

/** A frame of route `action`, as API Gateway hands it to that route's function. */
const frame = (connectionId: string, body: { action: string } & Record<string, unknown>) =>
  event(body.action, connectionId, JSON.stringify(body));

// Ann speaks the original text format; Bob asks for json, so presence events reach him.
const ANN = 'AAAAAAAAAAA=';
const BOB = 'BBBB';
const path = (id: string) => `POST /production/@connections/${encodeURIComponent(id)}`;

// In order: each step starts from the tables the previous ones left.
describe('the bundles CDK deploys', () => {
  const chat = synthChatStack();
  // The template as JSON: what CloudFormation would be given.
  const resources = chat.template.toJSON().Resources;
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

  /**
   * The environment the stack gives `route`'s function, with each deploy-time value (a table
   * name, the stage's endpoint) replaced by its local stand-in: a variable a function lacks in
   * the stack is lacking here too.
   */
  const environmentOf = (logicalId: string): Record<string, string> => {
    const { Variables } = resources[logicalId].Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    const local: Record<string, string> = {
      [LAMBDA_ENV.tableName]: table.tableName,
      [LAMBDA_ENV.roomsTableName]: table.roomsTableName,
      [LAMBDA_ENV.managementEndpoint]: management.endpoint,
    };
    return Object.fromEntries(
      Object.entries(Variables).map(([name, value]) => {
        if (typeof value === 'string') return [name, value];
        const stand = local[name];
        if (stand === undefined)
          throw new Error(`${logicalId}: no local stand-in for ${name}=${JSON.stringify(value)}`);
        return [name, stand];
      }),
    );
  };

  /** Runs `payload` through the bundle of its route's function; returns what it answered and posted. */
  const invoke = (payload: ReturnType<typeof event>) =>
    invokeFunction(chat.functionId(payload.requestContext.routeKey), payload) as Promise<{
      result: { statusCode: number };
      posts: Post[];
    }>;

  /** Runs `payload` through the bundle of the function `logicalId`, in the environment the stack gives it. */
  const invokeFunction = async (logicalId: string, payload: unknown) => {
    management.posts.length = 0;
    const bundle = chat.bundleOfFunction(logicalId);
    const { stdout } = await run(process.execPath, ['-e', invoker, bundle, JSON.stringify(payload)], {
      env: {
        PATH: process.env.PATH,
        // The runtime resolves SDK v3 from outside the bundle; here, the project's node_modules.
        NODE_PATH: join(repoRoot, 'node_modules'),
        AWS_REGION: 'eu-west-1',
        AWS_ACCESS_KEY_ID: 'test',
        AWS_SECRET_ACCESS_KEY: 'test',
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        ...environmentOf(logicalId),
      },
    });
    const answer = stdout.trim().split('\n').at(-1) ?? '';
    return { result: JSON.parse(answer) as unknown, posts: [...management.posts] };
  };
  const postsTo = (posts: readonly Post[], id: string) =>
    posts.filter((post) => post.path === path(id)).map((post) => post.body);
  const json = (posts: readonly Post[], id: string) => postsTo(posts, id).map((body) => JSON.parse(body) as unknown);
  const memberships = async (room: string) => {
    const { Items } = await table.client.send(
      new QueryCommand({
        TableName: table.roomsTableName,
        KeyConditionExpression: '#room = :room AND begins_with(#key, :member)',
        ExpressionAttributeNames: { '#room': 'room', '#key': 'key' },
        ExpressionAttributeValues: { ':room': room, ':member': 'member#' },
      }),
    );
    return (Items ?? []).map((item) => ({ key: item.key, name: item.name }));
  };

  it('gives each route the bundle of its ROUTE_HANDLERS handler, one asset per handler', () => {
    const codeOf = (route: string) => JSON.stringify(resources[chat.functionId(route)].Properties.Code);
    const byHandler = new Map<string, Set<string>>();
    for (const route of routeKeys) {
      const handler = ROUTE_HANDLERS[route] as string;
      byHandler.set(handler, (byHandler.get(handler) ?? new Set()).add(codeOf(route)));
    }
    expect([...byHandler.keys()].sort()).toEqual(['connect', 'disconnect', 'message']);
    for (const codes of byHandler.values()) expect(codes.size).toBe(1);
    expect(new Set([...byHandler.values()].flatMap((codes) => [...codes])).size).toBe(byHandler.size);
  });

  it('leaves SDK v3 to the runtime and bundles everything else', () => {
    for (const route of ['$connect', '$disconnect', 'sendMessage'] as const) {
      const bundle = readFileSync(chat.bundleOf(route), 'utf8');
      expect(bundle).toMatch(/require\("@aws-sdk\/lib-dynamodb"\)/);
      expect(bundle).not.toMatch(/require\("(inversify|reflect-metadata|@aws-lambda-powertools\/[a-z]+)"\)/);
    }
  });

  it('holds one copy of reflect-metadata, the one inversify brings', () => {
    for (const route of ['$connect', '$disconnect', 'sendMessage'] as const) {
      const bundle = readFileSync(chat.bundleOf(route), 'utf8');
      // Each copy registers itself under this key; two copies would each hold their own metadata.
      expect(bundle.match(/@reflect-metadata:registry/g)).toHaveLength(1);
    }
  });

  it('$connect records each connection with its TTL, in the format and name it asked for', async () => {
    for (const [id, query] of [
      [ANN, { name: 'ann' }],
      [BOB, { format: 'json', name: 'bob' }],
    ] as const) {
      const { result, posts } = await invoke(event('$connect', id, undefined, query));
      expect(result).toEqual({ statusCode: 200 });
      expect(posts).toEqual([]);
      const { Item } = await table.client.send(
        new GetCommand({ TableName: table.tableName, Key: { connectionId: id } }),
      );
      expect(Item).toMatchObject({ name: query.name, format: query.format ?? 'text' });
      expect(Item?.expiresAt).toBeGreaterThan(Date.now() / 1000);
    }
  });

  it('joinRoom makes a member, answers joined and tells the json members', async () => {
    expect((await invoke(frame(BOB, { action: 'joinRoom', room: 'lobby' }))).posts).toEqual([
      { path: path(BOB), body: '{"type":"joined","room":"lobby"}' },
    ]);
    const { result, posts } = await invoke(frame(ANN, { action: 'joinRoom', room: 'lobby' }));
    expect(result).toEqual({ statusCode: 200 });
    expect(postsTo(posts, ANN)).toEqual(['{"type":"joined","room":"lobby"}']);
    expect(json(posts, BOB)).toEqual([{ type: 'presence', room: 'lobby', event: 'join', member: { name: 'ann' } }]);
    expect(await memberships('lobby')).toHaveLength(2);
  });

  it('setName renames the connection and its memberships', async () => {
    const { posts } = await invoke(frame(ANN, { action: 'setName', name: 'alice' }));
    expect(postsTo(posts, ANN)).toEqual(['{"type":"named","name":"alice"}']);
    expect(await memberships('lobby')).toEqual([
      { key: `member#${ANN}`, name: 'alice' },
      { key: `member#${BOB}`, name: 'bob' },
    ]);
  });

  it('listMembers answers a member with the room', async () => {
    const { posts } = await invoke(frame(BOB, { action: 'listMembers', room: 'lobby' }));
    expect(json(posts, BOB)).toEqual([
      { type: 'members', room: 'lobby', members: [{ name: 'alice' }, { name: 'bob' }], truncated: false },
    ]);
  });

  it('sendMessage delivers to a room, and to every connection without one', async () => {
    const inRoom = await invoke(frame(ANN, { action: 'sendMessage', room: 'lobby', data: 'hi lobby' }));
    expect(postsTo(inRoom.posts, ANN)).toEqual(['hi lobby']);
    expect(json(inRoom.posts, BOB)).toEqual([
      expect.objectContaining({ type: 'message', room: 'lobby', from: { name: 'alice' }, data: 'hi lobby' }),
    ]);
    const everyone = await invoke(frame(BOB, { action: 'sendMessage', data: 'hello world' }));
    expect(postsTo(everyone.posts, ANN)).toEqual(['hello world']);
    expect(json(everyone.posts, BOB)).toEqual([expect.objectContaining({ room: null, data: 'hello world' })]);
  });

  it("history answers a member with the room's stored messages", async () => {
    const { posts } = await invoke(frame(BOB, { action: 'history', room: 'lobby' }));
    expect(json(posts, BOB)).toEqual([
      {
        type: 'history',
        room: 'lobby',
        messages: [expect.objectContaining({ from: { name: 'alice' }, data: 'hi lobby' })],
        complete: true,
      },
    ]);
  });

  it('the fan-out function delivers its part of every connection, as sendMessage hands it', async () => {
    const fanoutId = chat.idOf(chat.stack.fanout.function);
    // Its own bundle, built from the fanout handler, not one of the routes'.
    const routeCodes = routeKeys.map((route) => JSON.stringify(resources[chat.functionId(route)].Properties.Code));
    expect(routeCodes).not.toContain(JSON.stringify(resources[fanoutId].Properties.Code));
    const message = { id: 'm-fanout', room: null, from: { name: 'alice' }, ts: Date.now(), data: 'to a part' };
    const { result, posts } = await invokeFunction(fanoutId, {
      endpoint: management.endpoint,
      event: { kind: 'message', message, own: false },
      part: { room: null, cursor: { segment: 0, of: 1 } },
      replyTo: { id: ANN, format: 'text' },
    });
    expect(result).toEqual({ delivered: 2, gone: 0, unreached: 0, handedOn: false });
    expect(postsTo(posts, ANN)).toEqual(['to a part']);
    expect(json(posts, BOB)).toEqual([expect.objectContaining({ type: 'message', room: null, data: 'to a part' })]);
  });

  it('leaveRoom ends a membership, answers left and tells the json members', async () => {
    const { posts } = await invoke(frame(ANN, { action: 'leaveRoom', room: 'lobby' }));
    expect(postsTo(posts, ANN)).toEqual(['{"type":"left","room":"lobby"}']);
    expect(json(posts, BOB)).toEqual([{ type: 'presence', room: 'lobby', event: 'leave', member: { name: 'alice' } }]);
    expect(await memberships('lobby')).toEqual([{ key: `member#${BOB}`, name: 'bob' }]);
  });

  it('$default answers the sender alone', async () => {
    const { result, posts } = await invoke(event('$default', ANN, '{"action":"nope"}'));
    expect(result).toEqual({ statusCode: 200 });
    expect(posts).toEqual([{ path: path(ANN), body: 'Error: Invalid action type' }]);
  });

  it('$disconnect removes the connection and its memberships, and tells its rooms', async () => {
    await invoke(frame(ANN, { action: 'joinRoom', room: 'lobby' }));
    const { result, posts } = await invoke(event('$disconnect', ANN));
    expect(result).toEqual({ statusCode: 200 });
    expect(posts.map((post) => post.path)).toEqual([path(BOB)]);
    expect(json(posts, BOB)).toEqual([{ type: 'presence', room: 'lobby', event: 'leave', member: { name: 'alice' } }]);
    const { Item } = await table.client.send(
      new GetCommand({ TableName: table.tableName, Key: { connectionId: ANN } }),
    );
    expect(Item).toBeUndefined();
    expect(await memberships('lobby')).toEqual([{ key: `member#${BOB}`, name: 'bob' }]);
  });
});
