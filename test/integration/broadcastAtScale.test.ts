import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { loadHandlers, type RunningLocalApi, sourceHandlers, startLocalApi } from '../support/awsLocal.js';
import { ChatClient } from '../support/ChatClient.js';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';

const CONNECTIONS = 2000;
const PAGE_SIZE = 100;
const CONCURRENCY = 16;

/**
 * One broadcast to 2,000 connections through the real handlers, the real SDK clients, dynalite
 * and the local Management API: ceil(2000 / 100) = 20 Scans beside the sender's record, the
 * room counter and the stored message, and never more posts in flight than the configured bound.
 */
describe('sendMessage', () => {
  let dynamo: CountingDynalite;
  let local: RunningLocalApi;
  let table: Awaited<ReturnType<typeof freshTable>>;
  const clients: ChatClient[] = [];

  beforeAll(async () => {
    dynamo = await startDynalite();
    table = await freshTable(dynamo.endpoint);
    // A few milliseconds per post, as over a network, so that posts overlap and the bound is tested.
    local = await startLocalApi({}, { managementLatencyMs: 5 });
    local.api.setRoutes(
      await loadHandlers(
        {
          CONNECTIONS_TABLE: table.tableName,
          ROOMS_TABLE: table.roomsTableName,
          DYNAMODB_ENDPOINT: dynamo.endpoint,
          APIGW_MANAGEMENT_ENDPOINT: local.endpoint,
          CONNECTIONS_PAGE_SIZE: String(PAGE_SIZE),
          BROADCAST_CONCURRENCY: String(CONCURRENCY),
          AWS_REGION: 'local',
          AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
          AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
        },
        sourceHandlers,
      ),
    );
    for (let i = 0; i < CONNECTIONS; i += 100) {
      clients.push(...(await Promise.all(Array.from({ length: 100 }, () => ChatClient.connect(local.url)))));
    }
  }, 120_000);
  afterAll(async () => {
    for (const client of clients) client.vanish();
    await local.close();
    table.client.destroy();
    await dynamo.close();
  });

  describe('handler at scale', () => {
    it(`reaches all ${CONNECTIONS} connections with 20 Scans and at most ${CONCURRENCY} posts in flight`, async () => {
      dynamo.requests.clear();
      const before = { ...local.api.stats };
      const started = Date.now();

      (clients[0] as ChatClient).sendMessage('to everyone');
      await Promise.all(clients.map((client) => client.waitForFrames(1, 60_000)));

      const elapsedMs = Date.now() - started;
      expect(clients.every((client) => client.frames.length === 1 && client.frames[0] === 'to everyone')).toBe(true);
      // The sender's record read while its rate limit is charged (one conditional update), the
      // room counter, the stored message, and the audience page by page.
      expect(Object.fromEntries(dynamo.requests)).toEqual({
        UpdateItem: 2,
        PutItem: 1,
        Scan: Math.ceil(CONNECTIONS / PAGE_SIZE),
      });
      expect(local.api.stats.posts - before.posts).toBe(CONNECTIONS);
      expect(local.api.stats.gone - before.gone).toBe(0);
      // The bound holds whatever the timing; that posts overlapped at all shows the bound is what limits them.
      expect(local.api.stats.maxPostsInFlight).toBeLessThanOrEqual(CONCURRENCY);
      expect(local.api.stats.maxPostsInFlight).toBeGreaterThan(1);
      process.stdout.write(
        `broadcast to ${CONNECTIONS}: ${dynamo.count('Scan')} Scans, ${local.api.stats.maxPostsInFlight} posts in flight at most, ${elapsedMs} ms\n`,
      );
    }, 120_000);
  });
});
