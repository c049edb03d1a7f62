import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DynamoDbConnectionRepository } from '../../src/adapters/dynamodb/index.js';
import type { ConnectionId, RoomName } from '../../src/domain/index.js';
import { connection } from '../contract/connectionRepositoryContract.js';
import { type CountingDynalite, freshTable, startDynalite } from '../support/dynamo.js';
import { collect, newId } from '../support/fakes.js';

const TABLE_SIZE = 10_000;

/**
 * What listing an audience costs on AWS, in read capacity units as DynamoDB charges them
 * (dynalite computes them by item size, as DynamoDB does): a room's broadcast reads its own
 * members, in proportion to the room's size, never the rest of a table of 10,000 connections.
 */
describe('DynamoDB read units of an audience', () => {
  let dynamo: CountingDynalite;
  beforeAll(async () => {
    dynamo = await startDynalite();
  });
  afterAll(async () => {
    await dynamo.close();
  });

  it(`are proportional to the room's size, in a table of ${TABLE_SIZE.toLocaleString('en')} connections`, async () => {
    const tables = await freshTable(dynamo.endpoint);
    let units = 0;
    // Asks every request for its consumed capacity and adds it up.
    tables.client.middlewareStack.add(
      (next) => async (args) => {
        (args.input as { ReturnConsumedCapacity?: string }).ReturnConsumedCapacity = 'TOTAL';
        const result = await next(args);
        const consumed = (result.output as { ConsumedCapacity?: { CapacityUnits?: number } }).ConsumedCapacity;
        units += consumed?.CapacityUnits ?? 0;
        return result;
      },
      { step: 'initialize', name: 'countCapacity' },
    );
    const repository = new DynamoDbConnectionRepository(tables.client, { ...tables, ttlSeconds: 7200, pageSize: 100 });
    const ids: ConnectionId[] = Array.from({ length: TABLE_SIZE }, () => newId());
    for (let i = 0; i < ids.length; i += 250) {
      await Promise.all(ids.slice(i, i + 250).map((id) => repository.add(connection(id))));
    }
    // Ten rooms of 100, and one of 1,000, over the first 2,000 connections.
    const rooms = new Map<RoomName, ConnectionId[]>();
    for (let room = 0; room < 10; room++)
      rooms.set(`room-${room}` as RoomName, ids.slice(room * 100, room * 100 + 100));
    rooms.set('big' as RoomName, ids.slice(1000, 2000));
    for (const [room, members] of rooms) {
      for (let i = 0; i < members.length; i += 100) {
        await Promise.all(members.slice(i, i + 100).map((id) => repository.joinRoom(id, room, 50)));
      }
    }

    const readUnits = async (room: RoomName | null) => {
      units = 0;
      const listed = (await collect(repository.list(room))).flat().length;
      return { listed, units };
    };
    const small: Array<{ listed: number; units: number }> = [];
    for (const room of [...rooms.keys()].filter((name) => name !== 'big')) small.push(await readUnits(room));
    const big = await readUnits('big' as RoomName);
    const everyone = await readUnits(null);
    const perSmall = small.reduce((sum, room) => sum + room.units, 0) / small.length;
    console.log(
      `read units to list an audience, table of ${TABLE_SIZE} connections: room of 100 ${perSmall} ` +
        `(each of 10: ${small.map((room) => room.units).join(', ')}), room of 1,000 ${big.units}, ` +
        `everyone (${everyone.listed}) ${everyone.units}`,
    );

    expect(small.every((room) => room.listed === 100)).toBe(true);
    expect(big.listed).toBe(1000);
    expect(everyone.listed).toBe(TABLE_SIZE);
    // Every room of 100 costs the same, and ten times that lists a room ten times the size
    // (rounding to whole 4 KB units per page allows a little either way).
    expect(new Set(small.map((room) => room.units)).size).toBe(1);
    expect(big.units / perSmall).toBeGreaterThan(8);
    expect(big.units / perSmall).toBeLessThan(12);
    // A room of 100 reads about 1% of what the whole table does: its own members only.
    expect(perSmall / everyone.units).toBeLessThan(0.02);
    tables.client.destroy();
  }, 180_000);
});
