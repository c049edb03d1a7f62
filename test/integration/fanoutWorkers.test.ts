import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { lambdaContext } from '../../src/entrypoints/aws-local/events.js';
import { LocalLambdaApi } from '../../src/entrypoints/aws-local/LocalLambdaApi.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { loadHandlers, type RunningLocalApi, sourceHandlers, startLocalApi } from '../support/awsLocal.js';
import { ChatClient } from '../support/ChatClient.js';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';

const CONNECTIONS = 60;
const PAGE_SIZE = 5;
const THRESHOLD = 20;
const SEGMENTS = 3;
const ROOM_PART_SIZE = 15;
/** Each fan-out invocation starts with exactly its margin left: one page, then it hands the rest on. */
const MARGIN_MS = 30_000;

type PartOutcome = { delivered: number; gone: number; unreached: number; handedOn: boolean };

/**
 * The worker path end to end with the real handlers and the real SDK clients: `sendMessage` to
 * an audience over the threshold is cut into parts, handed to the fan-out function by Lambda's
 * `Invoke` API (asynchronous, 202) that the emulator answers, and each invocation, given time for
 * one page only, hands the rest of its part on. Every recipient gets the message exactly once.
 */
describe('fan-out function through the local Lambda API', () => {
  let dynamo: CountingDynalite;
  let local: RunningLocalApi;
  let table: Awaited<ReturnType<typeof freshTable>>;
  const lambda = new LocalLambdaApi();
  const outcomes: PartOutcome[] = [];
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    dynamo = await startDynalite();
    table = await freshTable(dynamo.endpoint);
    local = await startLocalApi({}, { onRequest: (request, response) => lambda.respond(request, response) });
    const env = {
      CONNECTIONS_TABLE: table.tableName,
      ROOMS_TABLE: table.roomsTableName,
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      APIGW_MANAGEMENT_ENDPOINT: local.endpoint,
      CONNECTIONS_PAGE_SIZE: String(PAGE_SIZE),
      FANOUT_FUNCTION_NAME: 'chat-fanout',
      FANOUT_THRESHOLD: String(THRESHOLD),
      FANOUT_SEGMENTS: String(SEGMENTS),
      FANOUT_ROOM_PART_SIZE: String(ROOM_PART_SIZE),
      FANOUT_MARGIN_MS: String(MARGIN_MS),
      LAMBDA_ENDPOINT: `http://127.0.0.1:${local.port}`,
      AWS_REGION: 'local',
      AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
      AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    };
    local.api.setRoutes(await loadHandlers(env, sourceHandlers));
    const { handler } = (await sourceHandlers('fanout')) as {
      handler: (payload: unknown, context: unknown) => Promise<PartOutcome | undefined>;
    };
    lambda.register('chat-fanout', async (payload) => {
      const outcome = await handler(payload, lambdaContext('chat-fanout', MARGIN_MS));
      if (outcome !== undefined) outcomes.push(outcome);
      return outcome;
    });
    for (let i = 0; i < CONNECTIONS; i += 20) {
      clients.push(...(await Promise.all(Array.from({ length: 20 }, () => ChatClient.connect(local.url)))));
    }
  }, 240_000);
  afterAll(async () => {
    for (const client of clients) client.vanish();
    await lambda.settled();
    await local.close();
    table.client.destroy();
    await dynamo.close();
  });

  it('reaches every connection exactly once through Scan segments, with continuations', async () => {
    dynamo.requests.clear();
    (clients[0] as ChatClient).sendMessage('to everyone');
    await Promise.all(clients.map((client) => client.waitForFrames(1, 120_000)));
    await lambda.settled();

    expect(clients.every((client) => client.frames.length === 1 && client.frames[0] === 'to everyone')).toBe(true);
    const invocations = lambda.invocations.get('chat-fanout') ?? 0;
    // One per segment, then one per page a segment has beyond its first.
    expect(invocations).toBeGreaterThan(SEGMENTS);
    expect(outcomes).toHaveLength(invocations);
    expect(outcomes.filter((outcome) => outcome.handedOn)).toHaveLength(invocations - SEGMENTS);
    expect(outcomes.reduce((sum, outcome) => sum + outcome.delivered, 0)).toBe(CONNECTIONS);
    expect(outcomes.every((outcome) => outcome.unreached === 0)).toBe(true);
    // The handler read past the threshold, then every segment was scanned page by page.
    expect(dynamo.count('Scan')).toBeGreaterThanOrEqual(Math.ceil(THRESHOLD / PAGE_SIZE) + invocations);
  }, 240_000);

  it("reaches every member of a large room exactly once, and no one outside it, in runs of the room's members", async () => {
    const members = clients.slice(0, 50);
    for (const client of members) client.send(JSON.stringify({ action: 'joinRoom', room: 'big' }));
    // A text client hears of its own join as a JSON reply.
    await Promise.all(members.map((client) => client.waitForFrames(2, 120_000)));
    // Joins past the threshold hand their presence events off too (to the room's json members).
    await lambda.settled();
    for (const client of clients) client.frames.length = 0;
    outcomes.length = 0;
    lambda.invocations.clear();

    (members[0] as ChatClient).send(JSON.stringify({ action: 'sendMessage', room: 'big', data: 'to the room' }));
    await Promise.all(members.map((client) => client.waitForFrames(1, 120_000)));
    await lambda.settled();

    expect(members.every((client) => client.frames.length === 1 && client.frames[0] === 'to the room')).toBe(true);
    expect(clients.slice(50).every((client) => client.frames.length === 0)).toBe(true);
    const invocations = lambda.invocations.get('chat-fanout') ?? 0;
    const parts = Math.ceil(members.length / ROOM_PART_SIZE);
    expect(outcomes.filter((outcome) => !outcome.handedOn).length).toBe(parts);
    expect(invocations).toBeGreaterThan(parts);
    expect(outcomes.reduce((sum, outcome) => sum + outcome.delivered, 0)).toBe(members.length);
  }, 240_000);

  it('answers Invoke as Lambda does: 202 for Event, 404 for an unknown function, 403 unsigned', async () => {
    const url = `http://127.0.0.1:${local.port}/2015-03-31/functions`;
    const unsigned = await fetch(`${url}/chat-fanout/invocations`, { method: 'POST', body: '{}' });
    expect(unsigned.status).toBe(403);
    const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
    const client = new LambdaClient({
      endpoint: `http://127.0.0.1:${local.port}`,
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      await expect(
        client.send(new InvokeCommand({ FunctionName: 'no-such-function', InvocationType: 'Event' })),
      ).rejects.toMatchObject({ $metadata: { httpStatusCode: 404 } });
      const dry = await client.send(new InvokeCommand({ FunctionName: 'chat-fanout', InvocationType: 'DryRun' }));
      expect(dry.StatusCode).toBe(204);
    } finally {
      client.destroy();
    }
  });
});
