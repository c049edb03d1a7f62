import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../../src/adapters/memory/index.js';
import { RedisConnectionRepository, type RedisPresence } from '../../../../src/adapters/redis/index.js';
import type { ConnectionId } from '../../../../src/domain/index.js';
import { collect, newId } from '../../../support/fakes.js';

/** A hand-written presence fake: records entries, or fails every write while `down`. */
class FakePresence implements Pick<RedisPresence, 'add' | 'remove' | 'resync'> {
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
  const presence = new FakePresence();
  const failures: string[] = [];
  const repository = new RedisConnectionRepository(
    new InMemoryConnectionRepository(),
    presence,
    (_error: unknown, operation: string) => failures.push(operation),
  );
  return { presence, failures, repository };
}

describe('RedisConnectionRepository', () => {
  describe('add and remove', () => {
    it('keep this node in memory and write through to the presence', async () => {
      const { presence, repository } = arrange();
      const [a, b] = [newId(), newId()];
      await repository.add(a);
      await repository.add(b);
      await repository.remove(a);
      expect((await collect(repository.list())).flat()).toEqual([b]);
      expect([...presence.entries]).toEqual([b]);
    });

    it('keep the local chat going while the presence is unreachable, and resync it afterwards', async () => {
      const { presence, failures, repository } = arrange();
      const [kept, left, joined] = [newId(), newId(), newId()];
      await repository.add(kept);
      await repository.add(left);
      presence.down = true;
      await repository.remove(left);
      await repository.add(joined);
      expect((await collect(repository.list())).flat().sort()).toEqual([kept, joined].sort());
      expect(failures).toEqual(['remove', 'add']);
      expect(repository.needsResync).toBe(true);

      presence.down = false;
      await repository.resync();
      expect([...presence.entries].sort()).toEqual([kept, joined].sort());
      expect(repository.needsResync).toBe(false);
    });
  });

  describe('remove', () => {
    it("leaves the presence entry of a connection this node does not hold to that connection's node", async () => {
      const { presence, repository } = arrange();
      const elsewhere = newId();
      presence.entries.add(elsewhere);
      await repository.remove(elsewhere);
      expect([...presence.entries]).toEqual([elsewhere]);
    });
  });
});
