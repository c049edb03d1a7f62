import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import { BroadcastMessage } from '../../../src/application/index.js';
import { type Delivery, InvalidMessageDataError } from '../../../src/domain/index.js';
import { collect, newId, RecordingGateway } from '../../support/fakes.js';

async function arrange(count: number, { pageSize = 1000, latencyMs = 0, maxConcurrentDeliveries = 64 } = {}) {
  const connections = new InMemoryConnectionRepository({ pageSize });
  const gateway = new RecordingGateway(latencyMs);
  const ids = Array.from({ length: count }, () => newId());
  for (const id of ids) await connections.add(id);
  const broadcast = new BroadcastMessage(connections, gateway, { maxConcurrentDeliveries });
  return { connections, gateway, ids, broadcast };
}

describe('BroadcastMessage', () => {
  describe('execute', () => {
    it('delivers data verbatim to every connection, the sender included', async () => {
      const { gateway, ids, broadcast } = await arrange(3);
      await broadcast.execute({ sender: ids[0]!, data: 'hello world' });
      expect(gateway.posts.map((p) => p.to).sort()).toEqual([...ids].sort());
      expect(new Set(gateway.posts.map((p) => p.frame))).toEqual(new Set(['hello world']));
    });

    it('reaches members on every page of the listing', async () => {
      const { gateway, ids, broadcast } = await arrange(25, { pageSize: 4 });
      await broadcast.execute({ sender: ids[0]!, data: 'x' });
      expect(gateway.posts).toHaveLength(25);
    });

    it('removes a connection that is gone, and only that one', async () => {
      const { connections, gateway, ids, broadcast } = await arrange(4);
      const [sender, stale] = [ids[0]!, ids[2]!];
      gateway.gone.add(stale);
      await broadcast.execute({ sender, data: 'hi' });
      expect(gateway.posts).toHaveLength(4);
      const left = (await collect(connections.list())).flat();
      expect(left.sort()).toEqual(ids.filter((id) => id !== stale).sort());
    });

    it('keeps the sender even when the sender is the only connection', async () => {
      const { connections, ids, broadcast } = await arrange(1);
      await broadcast.execute({ sender: ids[0]!, data: 'alone' });
      expect((await collect(connections.list())).flat()).toEqual(ids);
    });

    it('works with a gateway that answers at once, removing the recipients it reports gone', async () => {
      const connections = new InMemoryConnectionRepository({ pageSize: 3 });
      const ids = Array.from({ length: 7 }, () => newId());
      for (const id of ids) await connections.add(id);
      const stale = new Set([ids[1], ids[5]]);
      const posted: string[] = [];
      const immediate = {
        post: (to: (typeof ids)[number]): Delivery => {
          posted.push(to);
          return stale.has(to) ? 'gone' : 'delivered';
        },
      };
      await new BroadcastMessage(connections, immediate).execute({ sender: ids[0]!, data: 'now' });
      expect(posted.sort()).toEqual([...ids].sort());
      expect((await collect(connections.list())).flat().sort()).toEqual(ids.filter((id) => !stale.has(id)).sort());
    });

    it('never has more deliveries in flight than the bound', async () => {
      const { gateway, ids, broadcast } = await arrange(40, { latencyMs: 2, maxConcurrentDeliveries: 5 });
      await broadcast.execute({ sender: ids[0]!, data: 'x' });
      expect(gateway.posts).toHaveLength(40);
      expect(gateway.maxInFlight).toBe(5);
    });

    it.each([
      ['missing', undefined],
      ['a number', 42],
      ['null', null],
      ['an object', { text: 'hi' }],
      ['an array', ['hi']],
    ])('answers the sender alone when data is %s, and broadcasts nothing', async (_label, data) => {
      const { gateway, ids, broadcast } = await arrange(3);
      await broadcast.execute({ sender: ids[1]!, data });
      expect(gateway.posts).toEqual([{ to: ids[1], frame: new InvalidMessageDataError().reply }]);
      expect(gateway.posts[0]?.frame).toBe('Error: sendMessage needs a "data" field holding a string');
    });

    it('broadcasts an empty string, which is a valid message', async () => {
      const { gateway, ids, broadcast } = await arrange(2);
      await broadcast.execute({ sender: ids[0]!, data: '' });
      expect(gateway.posts.map((p) => p.frame)).toEqual(['', '']);
    });

    it('still delivers to everyone else when one delivery fails, then reports the failure', async () => {
      const { gateway, ids, broadcast } = await arrange(3, { maxConcurrentDeliveries: 1 });
      gateway.failing.add(ids[1]!);
      await expect(broadcast.execute({ sender: ids[0]!, data: 'x' })).rejects.toThrow(/failed/);
      expect(gateway.posts.map((p) => p.to).sort()).toEqual([ids[0], ids[2]].sort());
    });

    it('rejects a non-positive concurrency bound at construction', () => {
      const connections = new InMemoryConnectionRepository();
      expect(() => new BroadcastMessage(connections, new RecordingGateway(), { maxConcurrentDeliveries: 0 })).toThrow(
        RangeError,
      );
    });
  });
});
