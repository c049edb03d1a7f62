import { QueryCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOM_ITEM, ROOMS_TABLE_SCHEMA } from '../../src/adapters/dynamodb/index.js';
import type { RouteTable } from '../../src/entrypoints/aws-local/LocalWebSocketApi.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { loadHandlers, type RunningLocalApi, sourceHandlers, startLocalApi } from '../support/awsLocal.js';
import { ChatClient, eventually } from '../support/ChatClient.js';
import { type CountingDynalite, freshTable, startDynalite, storedIds } from '../support/dynamo.js';

/**
 * A client that vanishes without its `$disconnect` reaching the handler (best effort on AWS)
 * leaves a stale row; the next broadcast must find it gone (410), delete that row and no other,
 * and still reach everyone else.
 */
describe('sendMessage', () => {
  let dynamo: CountingDynalite;
  let local: RunningLocalApi;
  let table: Awaited<ReturnType<typeof freshTable>>;
  const connected: string[] = [];
  let dropDisconnects = false;

  beforeAll(async () => {
    dynamo = await startDynalite();
    table = await freshTable(dynamo.endpoint);
    local = await startLocalApi();
    const routes: RouteTable = await loadHandlers(
      {
        CONNECTIONS_TABLE: table.tableName,
        ROOMS_TABLE: table.roomsTableName,
        DYNAMODB_ENDPOINT: dynamo.endpoint,
        APIGW_MANAGEMENT_ENDPOINT: local.endpoint,
        AWS_REGION: 'local',
        AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
        AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
      },
      sourceHandlers,
    );
    const { $connect, $disconnect } = routes as Required<typeof routes>;
    local.api.setRoutes({
      ...routes,
      $connect: async (event, context) => {
        connected.push(event.requestContext.connectionId);
        return $connect?.(event, context);
      },
      // The lost `$disconnect`: API Gateway saw the close, the handler never ran.
      $disconnect: async (event, context) => (dropDisconnects ? { statusCode: 200 } : $disconnect?.(event, context)),
    });
  });
  afterAll(async () => {
    await local.close();
    table.client.destroy();
    await dynamo.close();
  });

  describe('handler (stale connection)', () => {
    it('deletes exactly the row of a connection found gone and still delivers to everyone else', async () => {
      const clients: ChatClient[] = [];
      for (let i = 0; i < 4; i++) clients.push(await ChatClient.connect(local.url));
      const [sender, b, c, vanished] = clients as [ChatClient, ChatClient, ChatClient, ChatClient];
      const vanishedId = connected[3] as string;
      expect(await storedIds(table.client, table.tableName)).toEqual([...connected].sort());
      dropDisconnects = true;
      vanished.vanish();
      await eventually(() => local.api.size === 3);
      expect(await storedIds(table.client, table.tableName)).toContain(vanishedId);
      const goneBefore = local.api.stats.gone;
      const deletesBefore = dynamo.count('DeleteItem');

      sender.sendMessage('after the vanishing');

      for (const client of [sender, b, c]) expect(await client.next()).toBe('after the vanishing');
      await eventually(async () => !(await storedIds(table.client, table.tableName)).includes(vanishedId));
      expect(local.api.stats.gone - goneBefore).toBe(1);
      expect(dynamo.count('DeleteItem') - deletesBefore).toBe(1);
      expect(await storedIds(table.client, table.tableName)).toEqual(connected.slice(0, 3).sort());
      for (const client of [sender, b, c]) await client.close();
    });

    it('removes the room memberships of a connection found gone along with its row', async () => {
      dropDisconnects = false;
      const before = connected.length;
      const [sender, member, vanished] = [
        await ChatClient.connect(local.url),
        await ChatClient.connect(local.url),
        await ChatClient.connect(local.url),
      ];
      const [senderId, memberId, vanishedId] = connected.slice(before) as [string, string, string];
      const join = async (client: ChatClient, room: string) => {
        client.send(JSON.stringify({ action: 'joinRoom', room }));
        expect(await client.next()).toBe(JSON.stringify({ type: 'joined', room }));
      };
      await join(sender, 'alpha');
      await join(member, 'beta');
      await join(vanished, 'alpha');
      await join(vanished, 'beta');
      expect(await membersOf('alpha')).toEqual([senderId, vanishedId].sort());
      expect(await membersOf('beta')).toEqual([memberId, vanishedId].sort());
      dropDisconnects = true;
      const open = local.api.size;
      vanished.vanish();
      await eventually(() => local.api.size === open - 1);
      expect(await storedIds(table.client, table.tableName)).toContain(vanishedId);
      const goneBefore = local.api.stats.gone;

      sender.send(JSON.stringify({ action: 'sendMessage', room: 'alpha', data: 'to alpha' }));

      expect(await sender.next()).toBe('to alpha');
      await eventually(async () => !(await storedIds(table.client, table.tableName)).includes(vanishedId));
      expect(local.api.stats.gone - goneBefore).toBe(1);
      await eventually(async () => (await membersOf('beta')).length === 1);
      expect(await membersOf('alpha')).toEqual([senderId]);
      expect(await membersOf('beta')).toEqual([memberId]);
      for (const client of [sender, member]) await client.close();
    });
  });

  /** The connection ids of the membership items stored in `room`'s partition, sorted. */
  async function membersOf(room: string): Promise<string[]> {
    const { Items = [] } = await table.client.send(
      new QueryCommand({
        TableName: table.roomsTableName,
        KeyConditionExpression: '#room = :room AND begins_with(#key, :member)',
        ExpressionAttributeNames: { '#room': ROOMS_TABLE_SCHEMA.partitionKey, '#key': ROOMS_TABLE_SCHEMA.sortKey },
        ExpressionAttributeValues: { ':room': room, ':member': ROOM_ITEM.memberPrefix },
        ConsistentRead: true,
      }),
    );
    return Items.map((item) => String(item[ROOMS_TABLE_SCHEMA.sortKey]).slice(ROOM_ITEM.memberPrefix.length)).sort();
  }
});
