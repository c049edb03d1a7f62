import { PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/index.js';
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

  describe('add', () => {
    it('stores the TTL attribute expiresAt, in epoch seconds, the TTL after now', async () => {
      const { client, tableName } = await freshTable(dynamo.endpoint);
      const now = Date.UTC(2026, 10, 28, 18, 0, 0);
      const repository = new DynamoDbConnectionRepository(client, { tableName, ttlSeconds: 7200, now: () => now });
      const id = newId();

      await repository.add(id);

      const { Items } = await client.send(new ScanCommand({ TableName: tableName }));
      expect(Items).toEqual([{ connectionId: id, expiresAt: now / 1000 + 7200 }]);
      client.destroy();
    });
  });

  describe('list', () => {
    it('leaves out rows past their TTL that DynamoDB has not deleted yet', async () => {
      const { client, tableName } = await freshTable(dynamo.endpoint);
      const repository = new DynamoDbConnectionRepository(client, { tableName });
      const [live, expired] = [newId(), newId()];
      await repository.add(live);
      const past = Math.floor(Date.now() / 1000) - 60;
      await client.send(new PutCommand({ TableName: tableName, Item: { connectionId: expired, expiresAt: past } }));

      const pages = await collect(repository.list());

      expect(pages.flat()).toEqual([live]);
      client.destroy();
    });

    it.each([
      [0, 1],
      [99, 1],
      [100, 1],
      [101, 2],
      [250, 3],
    ])('lists %i connections with %i Scan request(s) at page size 100', async (count, scans) => {
      const { client, tableName } = await freshTable(dynamo.endpoint);
      const repository = new DynamoDbConnectionRepository(client, { tableName, pageSize: 100 });
      const ids = Array.from({ length: count }, () => newId());
      await Promise.all(ids.map((id) => repository.add(id)));
      const before = dynamo.count('Scan');

      const pages = await collect(repository.list());

      expect(dynamo.count('Scan') - before).toBe(scans);
      expect(pages.flat().sort()).toEqual([...ids].sort());
      expect(pages.every((page) => page.length <= 100)).toBe(true);
      client.destroy();
    });
  });
});
