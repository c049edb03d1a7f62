import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import { BroadcastMessage } from '../../../src/application/index.js';
import { PeersUnreachableError } from '../../../src/domain/index.js';
import { newId, RelayingGateway } from '../../support/fakes.js';

async function arrange(count: number) {
  const connections = new InMemoryConnectionRepository();
  const gateway = new RelayingGateway();
  const ids = Array.from({ length: count }, () => newId());
  for (const id of ids) await connections.add(id);
  const broadcast = new BroadcastMessage(connections, gateway, { maxConcurrentDeliveries: 8 });
  return { gateway, ids, broadcast };
}

describe('BroadcastMessage', () => {
  describe('execute through a gateway that relays', () => {
    it('relays each valid frame once, whatever the audience size, and delivers it locally', async () => {
      const { gateway, ids, broadcast } = await arrange(50);
      await broadcast.execute({ sender: ids[0]!, data: 'one' });
      await broadcast.execute({ sender: ids[0]!, data: 'two' });
      expect(gateway.relayed).toEqual(['one', 'two']);
      expect(gateway.posts).toHaveLength(100);
    });

    it('relays nothing for invalid data', async () => {
      const { gateway, ids, broadcast } = await arrange(2);
      await broadcast.execute({ sender: ids[0]!, data: 42 });
      expect(gateway.relayed).toEqual([]);
      expect(gateway.posts).toHaveLength(1);
    });

    it('still delivers to the local audience when the other nodes are unreachable, then rethrows', async () => {
      const { gateway, ids, broadcast } = await arrange(3);
      gateway.unreachable = true;
      await expect(broadcast.execute({ sender: ids[0]!, data: 'local only' })).rejects.toBeInstanceOf(
        PeersUnreachableError,
      );
      expect(gateway.posts.map((post) => post.to).sort()).toEqual([...ids].sort());
    });
  });

  describe('deliver', () => {
    it('delivers a frame relayed by another node without relaying it again', async () => {
      const { gateway, broadcast } = await arrange(4);
      await broadcast.deliver('from elsewhere');
      expect(gateway.relayed).toEqual([]);
      expect(gateway.posts).toHaveLength(4);
      expect(new Set(gateway.posts.map((post) => post.frame))).toEqual(new Set(['from elsewhere']));
    });
  });
});
