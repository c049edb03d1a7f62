import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import { BroadcastMessage } from '../../../src/application/index.js';
import { type BroadcastRelay, PeersUnreachableError } from '../../../src/domain/index.js';
import { newId, RecordingGateway } from '../../support/fakes.js';

/** A hand-written relay fake: records frames, or refuses them all when `unreachable`. */
class RecordingRelay implements BroadcastRelay {
  readonly frames: string[] = [];
  unreachable = false;

  async relay(frame: string): Promise<void> {
    if (this.unreachable) throw new PeersUnreachableError('test');
    this.frames.push(frame);
  }
}

async function arrange(count: number) {
  const connections = new InMemoryConnectionRepository();
  const gateway = new RecordingGateway();
  const relay = new RecordingRelay();
  const ids = Array.from({ length: count }, () => newId());
  for (const id of ids) await connections.add(id);
  const broadcast = new BroadcastMessage(connections, gateway, { maxConcurrentDeliveries: 8 }, relay);
  return { gateway, relay, ids, broadcast };
}

describe('BroadcastMessage', () => {
  describe('execute with a relay', () => {
    it('relays each valid frame once, whatever the audience size, and delivers it locally', async () => {
      const { gateway, relay, ids, broadcast } = await arrange(50);
      await broadcast.execute({ sender: ids[0]!, data: 'one' });
      await broadcast.execute({ sender: ids[0]!, data: 'two' });
      expect(relay.frames).toEqual(['one', 'two']);
      expect(gateway.posts).toHaveLength(100);
    });

    it('relays nothing for invalid data', async () => {
      const { relay, ids, broadcast } = await arrange(2);
      const result = await broadcast.execute({ sender: ids[0]!, data: 42 });
      expect(result.kind).toBe('rejected');
      expect(relay.frames).toEqual([]);
    });

    it('still delivers to the local audience when the other nodes are unreachable, then rethrows', async () => {
      const { gateway, relay, ids, broadcast } = await arrange(3);
      relay.unreachable = true;
      await expect(broadcast.execute({ sender: ids[0]!, data: 'local only' })).rejects.toBeInstanceOf(
        PeersUnreachableError,
      );
      expect(gateway.posts.map((post) => post.to).sort()).toEqual([...ids].sort());
    });
  });

  describe('deliverToAll', () => {
    it('delivers a frame relayed by another node without relaying it again', async () => {
      const { gateway, relay, broadcast } = await arrange(4);
      const result = await broadcast.deliverToAll('from elsewhere');
      expect(result).toEqual({ kind: 'broadcast', delivered: 4, gone: 0 });
      expect(relay.frames).toEqual([]);
      expect(gateway.posts).toHaveLength(4);
    });
  });
});
