import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import type { ConnectionId } from '../../../src/domain/index.js';
import { ClusterMembership, type Directory } from '../../../src/entrypoints/server/ClusterMembership.js';
import { readServerConfig } from '../../../src/entrypoints/server/config.js';
import { collect, newId } from '../../support/fakes.js';

/** A hand-written directory fake: records entries, or fails every write while `down`. */
class FakeDirectory implements Directory {
  readonly entries = new Set<ConnectionId>();
  down = false;

  async add(id: ConnectionId): Promise<void> {
    if (this.down) throw new Error('Redis unreachable');
    this.entries.add(id);
  }

  async remove(id: ConnectionId): Promise<void> {
    if (this.down) throw new Error('Redis unreachable');
    this.entries.delete(id);
  }

  async resync(current: () => readonly ConnectionId[]): Promise<void> {
    if (this.down) throw new Error('Redis unreachable');
    this.entries.clear();
    for (const id of current()) this.entries.add(id);
  }
}

function arrange() {
  const directory = new FakeDirectory();
  const failures: string[] = [];
  const membership = new ClusterMembership(new InMemoryConnectionRepository(), directory, (_error, operation) =>
    failures.push(operation),
  );
  return { directory, failures, membership };
}

describe('ClusterMembership', () => {
  describe('add and remove', () => {
    it('keep this node in memory and write through to the directory', async () => {
      const { directory, membership } = arrange();
      const [a, b] = [newId(), newId()];
      await membership.add(a);
      await membership.add(b);
      await membership.remove(a);
      expect((await collect(membership.list())).flat()).toEqual([b]);
      expect([...directory.entries]).toEqual([b]);
    });

    it('keep the local chat going while the directory is unreachable, and resync it afterwards', async () => {
      const { directory, failures, membership } = arrange();
      const [kept, left, joined] = [newId(), newId(), newId()];
      await membership.add(kept);
      await membership.add(left);
      directory.down = true;
      await membership.remove(left);
      await membership.add(joined);
      expect((await collect(membership.list())).flat().sort()).toEqual([kept, joined].sort());
      expect(failures).toEqual(['remove', 'add']);
      expect(membership.needsResync).toBe(true);

      directory.down = false;
      await membership.resync();
      expect([...directory.entries].sort()).toEqual([kept, joined].sort());
      expect(membership.needsResync).toBe(false);
    });
  });

  describe('remove', () => {
    it("leaves the directory entry of a connection this node does not hold to that connection's node", async () => {
      const { directory, membership } = arrange();
      const elsewhere = newId();
      directory.entries.add(elsewhere);
      await membership.remove(elsewhere);
      expect([...directory.entries]).toEqual([elsewhere]);
    });
  });
});

describe('readServerConfig', () => {
  describe('cluster settings', () => {
    it('default to the chat: prefix, a 5 s heartbeat and a bounded hold', () => {
      expect(readServerConfig({}).cluster).toEqual({
        keyPrefix: 'chat:',
        heartbeatIntervalMs: 5000,
        maxHeldFrames: 1000,
        maxHeldBytes: 16 * 1024 * 1024,
      });
    });

    it('read REDIS_KEY_PREFIX, REDIS_HEARTBEAT_MS, REDIS_MAX_HELD_FRAMES and REDIS_MAX_HELD_BYTES', () => {
      const { cluster, redisUrl } = readServerConfig({
        REDIS_URL: 'redis://127.0.0.1:6379',
        REDIS_KEY_PREFIX: 'team-a:',
        REDIS_HEARTBEAT_MS: '1000',
        REDIS_MAX_HELD_FRAMES: '10',
        REDIS_MAX_HELD_BYTES: '4096',
      });
      expect(redisUrl).toBe('redis://127.0.0.1:6379');
      expect(cluster).toEqual({
        keyPrefix: 'team-a:',
        heartbeatIntervalMs: 1000,
        maxHeldFrames: 10,
        maxHeldBytes: 4096,
      });
    });

    it('reject a heartbeat too short to be safe', () => {
      expect(() => readServerConfig({ REDIS_HEARTBEAT_MS: '5' })).toThrow(/REDIS_HEARTBEAT_MS=/);
    });
  });
});
