import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type ConnectionFacts, connectEvent } from '../../src/entrypoints/aws-local/events.js';
import type { RouteTable } from '../../src/entrypoints/aws-local/LocalWebSocketApi.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { LAMBDA_HANDLERS } from '../../src/entrypoints/lambda/routes.js';
import { type HandlerLoader, loadHandlers, type RunningLocalApi, startLocalApi } from '../support/awsLocal.js';
import { ChatClient } from '../support/ChatClient.js';
import { type CountingDynalite, freshTable, startDynalite, storedIds } from '../support/dynamo.js';

const bundle = (name: string) => fileURLToPath(new URL(`../../dist/lambda/${name}/index.mjs`, import.meta.url));
/** The esbuild output in dist/, never the source: proves the DI wiring survives bundling. */
const bundledHandlers: HandlerLoader = (name) => import(pathToFileURL(bundle(name)).href);

describe('Lambda bundles', () => {
  let dynamo: CountingDynalite;
  let local: RunningLocalApi;
  let table: Awaited<ReturnType<typeof freshTable>>;
  let routes: RouteTable;

  beforeAll(async () => {
    for (const name of LAMBDA_HANDLERS) {
      if (!existsSync(bundle(name))) throw new Error(`${bundle(name)} is missing: run npm run build first`);
    }
    dynamo = await startDynalite();
    table = await freshTable(dynamo.endpoint);
    local = await startLocalApi();
    routes = await loadHandlers(
      {
        CONNECTIONS_TABLE: table.tableName,
        ROOMS_TABLE: table.roomsTableName,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        APIGW_MANAGEMENT_ENDPOINT: local.endpoint,
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
      bundledHandlers,
    );
    local.api.setRoutes(routes);
  });
  afterAll(async () => {
    await local?.close();
    table?.client.destroy();
    await dynamo?.close();
  });

  describe('connect handler', () => {
    it('stores the connection of a $connect event it is handed directly', async () => {
      const facts: ConnectionFacts = {
        connectionId: 'bundleTest0001A=',
        connectedAt: Date.now(),
        sourceIp: '127.0.0.1',
        userAgent: 'vitest',
        domainName: `127.0.0.1:${local.port}`,
        stage: 'test',
      };
      const event = connectEvent(facts, { host: facts.domainName }, new URLSearchParams());

      const result = await routes.$connect?.(event, {} as never);

      expect(result).toEqual({ statusCode: 200 });
      expect(await storedIds(table.client, table.tableName)).toContain('bundleTest0001A=');
    });
  });

  describe('all handlers behind the local API', () => {
    it('chat as the standalone server does: broadcast, errors to the sender alone', async () => {
      const a = await ChatClient.connect(local.url);
      const b = await ChatClient.connect(local.url);

      a.send('{"action":"sendMessage","data":"hello world"}');
      a.send('{"action":"sendMessage","data":7}');
      a.send('{"action":"shout"}');

      expect(await b.next()).toBe('hello world');
      // API Gateway runs a connection's messages concurrently and promises no order (nor does the
      // emulator): the three answers arrive, each once, in any order.
      expect([...(await a.waitForFrames(3))].sort()).toEqual([
        'Error: Invalid action type',
        'Error: sendMessage needs a "data" field holding a string',
        'hello world',
      ]);
      await a.close();
      await b.close();
    });
  });

  describe('module load', () => {
    it('refuses to load without CONNECTIONS_TABLE', async () => {
      const saved = process.env.CONNECTIONS_TABLE;
      delete process.env.CONNECTIONS_TABLE;
      try {
        await expect(import(`${pathToFileURL(bundle('connect')).href}?without-table`)).rejects.toThrow(
          /CONNECTIONS_TABLE must be set/,
        );
      } finally {
        process.env.CONNECTIONS_TABLE = saved;
      }
    });
  });
});
