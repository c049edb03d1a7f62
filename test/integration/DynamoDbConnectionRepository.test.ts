import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/index.js';
import type { ConnectionId, RoomName } from '../../src/domain/index.js';
import { connection } from '../contract/connectionRepositoryContract.js';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';
import { collect, newId } from '../support/fakes.js';

describe('DynamoDbConnectionRepository', () => {
  let dynamo: CountingDynalite;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  const arrange = async (options: { pageSize?: number; now?: () => number } = {}) => {
    const tables = await freshTable(dynamo.endpoint);
    const repository = new DynamoDbConnectionRepository(tables.client, { ...tables, ttlSeconds: 7200, ...options });
    return { ...tables, repository };
  };
  const ids = async (pages: AsyncIterable<readonly { id: ConnectionId }[]>) =>
    (await collect(pages)).flat().map((member) => member.id);

  describe('add and joinRoom', () => {
    it('store the TTL attribute expiresAt, in epoch seconds, on the connection and its memberships', async () => {
      const now = Date.UTC(2026, 10, 28, 18, 0, 0);
      const { client, tableName, roomsTableName, repository } = await arrange({ now: () => now });
      const id = newId();
      await repository.add(connection(id));
      await repository.joinRoom(id, 'r' as RoomName, 50);

      const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
      expect(Items).toEqual([expect.objectContaining({ connectionId: id, expiresAt: now / 1000 + 7200 })]);
      const memberships = await client.send(new ScanCommand({ TableName: roomsTableName }));
      expect(memberships.Items).toEqual([expect.objectContaining({ room: 'r', expiresAt: now / 1000 + 7200 })]);
      client.destroy();
    });
  });

  describe('list', () => {
    it('leaves out rows past their TTL that DynamoDB has not deleted yet', async () => {
      const { client, tableName, repository } = await arrange();
      const [live, expired] = [newId(), newId()];
      await repository.add(connection(live));
      const past = Math.floor(Date.now() / 1000) - 60;
      const item = { connectionId: expired, format: 'text', name: 'x', expiresAt: past };
      await client.send(new PutCommand({ TableName: tableName, Item: item }));

      expect(await ids(repository.list(null))).toEqual([live]);
      expect(await repository.get(expired)).toBeUndefined();
      client.destroy();
    });

    it.each([
      [0, 1],
      [99, 1],
      [100, 1],
      [101, 2],
      [250, 3],
    ])('lists %i connections with %i Scan request(s) at page size 100', async (count, scans) => {
      const { client, repository } = await arrange({ pageSize: 100 });
      const added = Array.from({ length: count }, () => newId());
      await Promise.all(added.map((id) => repository.add(connection(id))));
      const before = dynamo.count('Scan');

      const pages = await collect(repository.list(null));

      expect(dynamo.count('Scan') - before).toBe(scans);
      expect(
        pages
          .flat()
          .map((member) => member.id)
          .sort(),
      ).toEqual([...added].sort());
      expect(pages.every((page) => page.length <= 100)).toBe(true);
      client.destroy();
    });

    it('lists a room with Queries of its own partition only, never a Scan', async () => {
      const { client, repository } = await arrange({ pageSize: 100 });
      const room = 'busy' as RoomName;
      const members = Array.from({ length: 150 }, () => newId());
      const others = Array.from({ length: 300 }, () => newId());
      await Promise.all([...members, ...others].map((id) => repository.add(connection(id))));
      for (const id of members) await repository.joinRoom(id, room, 50);
      for (const id of others.slice(0, 100)) await repository.joinRoom(id, 'quiet' as RoomName, 50);
      const [scans, queries] = [dynamo.count('Scan'), dynamo.count('Query')];

      expect((await ids(repository.list(room))).sort()).toEqual([...members].sort());

      expect(dynamo.count('Scan') - scans).toBe(0);
      expect(dynamo.count('Query') - queries).toBe(2);
      client.destroy();
    });
  });

  describe('remove', () => {
    it('deletes the memberships with the connection, in batches of 25', async () => {
      const { client, roomsTableName, repository } = await arrange();
      const id = newId();
      await repository.add(connection(id));
      const rooms = Array.from({ length: 30 }, (_, i) => `room-${i}` as RoomName);
      for (const room of rooms) await repository.joinRoom(id, room, 50);
      const before = dynamo.count('BatchWriteItem');

      expect([...((await repository.remove(id))?.rooms ?? [])].sort()).toEqual([...rooms].sort());

      expect(dynamo.count('BatchWriteItem') - before).toBe(2);
      const left = await client.send(new ScanCommand({ TableName: roomsTableName }));
      expect(left.Items).toEqual([]);
      client.destroy();
    });
  });
});
