import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHAT_METRICS } from '../../src/adapters/powertools/index.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';

const run = promisify(execFile);
const bundle = (name: string) => fileURLToPath(new URL(`../../dist/lambda/${name}/index.mjs`, import.meta.url));

/**
 * A fresh execution environment: loads one bundle and runs its events in turn, each with a
 * Lambda context of its own (request ids `req-0`, `req-1`, ...); what the handler answered is the
 * last stdout line.
 */
const invoker = `
const { handler } = await import(process.argv[1]);
const results = [];
for (const [index, event] of JSON.parse(process.argv[2]).entries()) {
  results.push(await handler(event, {
    awsRequestId: 'req-' + index,
    functionName: 'chat-handler',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:chat-handler',
    memoryLimitInMB: '256',
    getRemainingTimeInMillis: () => 10000,
  }));
}
process.stdout.write('\\n' + JSON.stringify({ results }) + '\\n');`;

// Ann and Bob are there; Gone's client left without a $disconnect, and the stage answers 410.
const ANN = 'AnnAAAAAAAAAAA=';
const BOB = 'BobBBBBBBBBBBB=';
const GONE = 'GoneGGGGGGGGGG=';
const BODY = 'a private message that no log may carry';
const TOKEN = 'eyJhbGciOiJIUzI1NiJ9.secret-token-body.signature';

const event = (routeKey: string, connectionId: string, body?: string, query?: Record<string, string>) => ({
  requestContext: {
    routeKey,
    eventType: routeKey === '$connect' ? 'CONNECT' : 'MESSAGE',
    connectionId,
    domainName: 'example.execute-api.eu-west-1.amazonaws.com',
    stage: 'production',
    apiId: 'example',
    requestId: 'apigw-request',
    connectedAt: Date.now(),
    requestTimeEpoch: Date.now(),
  },
  ...(body === undefined ? {} : { body }),
  ...(query === undefined ? {} : { queryStringParameters: query }),
  isBase64Encoded: false,
});

interface Output {
  readonly results: unknown[];
  /** The EMF lines (they carry `_aws`). */
  readonly emf: Array<Record<string, unknown>>;
  /** The log lines (they carry `level`). */
  readonly logs: Array<Record<string, unknown>>;
  /** Everything written, to search for what must never be there. */
  readonly text: string;
}

describe('the Lambda bundles, observed', () => {
  let dynamo: CountingDynalite;
  let table: Awaited<ReturnType<typeof freshTable>>;
  let stage: Server;
  let endpoint: string;

  beforeAll(async () => {
    for (const name of ['connect', 'message']) {
      if (!existsSync(bundle(name))) throw new Error(`${bundle(name)} is missing: run npm run build first`);
    }
    dynamo = await startDynalite();
    table = await freshTable(dynamo.endpoint);
    stage = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.writeHead(request.url?.includes(encodeURIComponent(GONE)) ? 410 : 200).end());
    });
    await new Promise<void>((resolve) => stage.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(stage.address() as AddressInfo).port}/production`;
  });
  afterAll(async () => {
    stage?.close();
    table?.client.destroy();
    await dynamo?.close();
  });

  /** Runs `events` through a fresh process of bundle `name`, with `env` beside the tables' settings. */
  const invoke = async (name: string, events: unknown[], env: Record<string, string>): Promise<Output> => {
    const { stdout, stderr } = await run(
      process.execPath,
      ['--input-type=module', '-e', invoker, pathToFileURL(bundle(name)).href, JSON.stringify(events)],
      {
        env: {
          PATH: process.env.PATH,
          CONNECTIONS_TABLE: table.tableName,
          ROOMS_TABLE: table.roomsTableName,
          DYNAMODB_ENDPOINT: dynamo.endpoint,
          APIGW_MANAGEMENT_ENDPOINT: endpoint,
          AWS_REGION: 'eu-west-1',
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
          AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
          // As Lambda sets it for an on-demand environment: Powertools reads the cold start from it.
          AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
          ...env,
        },
      },
    );
    const lines = `${stdout}\n${stderr}`
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    const last = lines.find((line) => 'results' in line) as { results: unknown[] } | undefined;
    if (last === undefined) throw new Error(`no results from ${name}: ${stdout}\n${stderr}`);
    return {
      results: last.results,
      emf: lines.filter((line) => '_aws' in line),
      logs: lines.filter((line) => 'level' in line),
      text: `${stdout}${stderr}`,
    };
  };

  it('$connect: logs each invocation at DEBUG with its request id and cold start, never the token', async () => {
    const connects = [ANN, BOB, GONE].map((id) => event('$connect', id, undefined, { name: 'x', token: TOKEN }));

    const { results, emf, logs, text } = await invoke('connect', connects, { LOG_LEVEL: 'DEBUG' });

    expect(results).toEqual([{ statusCode: 200 }, { statusCode: 200 }, { statusCode: 200 }]);
    const handled = logs.filter((line) => line.message === 'handled');
    expect(handled.map((line) => [line.function_request_id, line.cold_start, line.connectionId])).toEqual([
      ['req-0', true, ANN],
      ['req-1', false, BOB],
      ['req-2', false, GONE],
    ]);
    expect(handled[0]).toMatchObject({ level: 'DEBUG', service: CHAT_METRICS.service, routeKey: '$connect' });
    expect(emf).toEqual([]);
    expect(text).not.toContain('secret-token-body');
  });

  it('sendMessage: one EMF line per invocation with its deliveries, gone and broadcast duration', async () => {
    const send = (from: string) => event('sendMessage', from, JSON.stringify({ action: 'sendMessage', data: BODY }));

    const { results, emf, logs, text } = await invoke('message', [send(ANN), send(BOB)], { LOG_LEVEL: 'DEBUG' });

    expect(results).toEqual([{ statusCode: 200 }, { statusCode: 200 }]);
    expect(emf).toHaveLength(2);
    // The first broadcast finds Gone gone (and removes it); the second reaches Ann and Bob alone.
    expect(emf[0]).toMatchObject({
      service: CHAT_METRICS.service,
      route: 'sendMessage',
      [CHAT_METRICS.frames]: 1,
      [CHAT_METRICS.broadcasts]: 1,
      [CHAT_METRICS.deliveries]: 2,
      [CHAT_METRICS.gone]: 1,
    });
    expect(emf[1]).toMatchObject({ [CHAT_METRICS.deliveries]: 2, [CHAT_METRICS.gone]: 0 });
    for (const line of emf) {
      expect(line[CHAT_METRICS.broadcastDuration]).toBeTypeOf('number');
      expect((line._aws as { CloudWatchMetrics: Array<{ Namespace: string }> }).CloudWatchMetrics[0]?.Namespace).toBe(
        CHAT_METRICS.namespace,
      );
    }
    const handled = logs.filter((line) => line.message === 'handled');
    expect(handled.map((line) => [line.function_request_id, line.cold_start])).toEqual([
      ['req-0', true],
      ['req-1', false],
    ]);
    expect(text).not.toContain(BODY);
  });

  it('logs at INFO unless LOG_LEVEL or POWERTOOLS_LOG_LEVEL says otherwise', async () => {
    const frame = [event('listMembers', ANN, '{"action":"listMembers","room":"lobby"}')];

    const quiet = await invoke('message', frame, {});
    const chatty = await invoke('message', frame, { POWERTOOLS_LOG_LEVEL: 'DEBUG' });

    expect(quiet.logs).toEqual([]);
    expect(chatty.logs.map((line) => line.message)).toEqual(['handled']);
  });

  it('logs a failure with its request id, class and code, and still answers', async () => {
    const { results, logs, text } = await invoke(
      'message',
      [event('sendMessage', ANN, `{"action":"sendMessage","data":"${BODY}"}`)],
      {
        // No table of that name: the core's first read fails.
        CONNECTIONS_TABLE: 'missing-table',
        ROOMS_TABLE: 'missing-rooms',
      },
    );

    expect(results).toEqual([{ statusCode: 500 }]);
    expect(logs).toEqual([
      expect.objectContaining({
        level: 'ERROR',
        message: 'sendMessage.failed',
        function_request_id: 'req-0',
        cold_start: true,
        connectionId: ANN,
        error: 'ResourceNotFoundException',
      }),
    ]);
    expect(text).not.toContain(BODY);
    expect(text).not.toMatch(/\n\s+at /);
  });
});
