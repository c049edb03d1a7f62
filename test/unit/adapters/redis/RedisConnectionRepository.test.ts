import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../../src/adapters/memory/index.js';
import {
  RedisConnectionRepository,
  type RedisPresence,
  type RoomListeners,
} from '../../../../src/adapters/redis/index.js';
import type { Connection, ConnectionId, Member, MemberList, RoomName } from '../../../../src/domain/index.js';
import { connection } from '../../../contract/connectionRepositoryContract.js';
import { collect, newId } from '../../../support/fakes.js';

type Presence = Pick<RedisPresence, 'add' | 'remove' | 'joinRoom' | 'leaveRoom' | 'rename' | 'resync' | 'members'>;

/** A hand-written presence fake: records entries as `room/id` (`*` for the chat), or fails every call while `down`. */
class FakePresence implements Presence {
  readonly entries = new Set<string>();
  down = false;

  async add(member: Member): Promise<void> {
    this.check();
    this.entries.add(`*/${member.id}`);
  }

  async remove(id: ConnectionId, rooms: readonly RoomName[]): Promise<void> {
    this.check();
    for (const room of ['*', ...rooms]) this.entries.delete(`${room}/${id}`);
  }

  async joinRoom(member: Member, room: RoomName): Promise<void> {
    this.check();
    this.entries.add(`${room}/${member.id}`);
  }

  async leaveRoom(id: ConnectionId, room: RoomName): Promise<void> {
    this.check();
    this.entries.delete(`${room}/${id}`);
  }

  async rename(): Promise<void> {
    this.check();
  }

  async resync(current: () => readonly Connection[]): Promise<void> {
    this.check();
    this.entries.clear();
    for (const { id, rooms } of current()) for (const room of ['*', ...rooms]) this.entries.add(`${room}/${id}`);
  }

  async members(): Promise<MemberList> {
    this.check();
    return { members: [{ name: 'from redis' }], truncated: false };
  }

  private check(): void {
    if (this.down) throw new Error('Redis unreachable');
  }
}

/** Counts how many times each room was retained and released. */
class FakeListeners implements RoomListeners {
  readonly counts = new Map<RoomName, number>();

  async retain(room: RoomName): Promise<void> {
    this.counts.set(room, (this.counts.get(room) ?? 0) + 1);
  }

  async release(room: RoomName): Promise<void> {
    this.counts.set(room, (this.counts.get(room) ?? 0) - 1);
  }
}

function arrange() {
  const presence = new FakePresence();
  const listeners = new FakeListeners();
  const failures: string[] = [];
  const repository = new RedisConnectionRepository(
    new InMemoryConnectionRepository(),
    presence,
    listeners,
    (_error: unknown, operation: string) => failures.push(operation),
  );
  return { presence, listeners, failures, repository };
}

const room = 'r' as RoomName;

describe('RedisConnectionRepository', () => {
  describe('add, joinRoom, leaveRoom and remove', () => {
    it('keep this node in memory, write through to the presence, and listen to rooms with members', async () => {
      const { presence, listeners, repository } = arrange();
      const [a, b] = [newId(), newId()];
      await repository.add(connection(a));
      await repository.add(connection(b));
      await repository.joinRoom(a, room, 50);
      await repository.joinRoom(b, room, 50);
      expect(listeners.counts.get(room)).toBe(2);
      await repository.leaveRoom(b, room);
      await repository.remove(a);
      expect((await collect(repository.list(null))).flat().map((member) => member.id)).toEqual([b]);
      expect([...presence.entries]).toEqual([`*/${b}`]);
      expect(listeners.counts.get(room)).toBe(0);
    });

    it('keep the local chat going while the presence is unreachable, and resync it afterwards', async () => {
      const { presence, failures, repository } = arrange();
      const [kept, left, joined] = [newId(), newId(), newId()];
      await repository.add(connection(kept));
      await repository.add(connection(left));
      presence.down = true;
      await repository.remove(left);
      await repository.add(connection(joined));
      await repository.joinRoom(joined, room, 50);
      expect(
        (await collect(repository.list(null)))
          .flat()
          .map((member) => member.id)
          .sort(),
      ).toEqual([kept, joined].sort());
      expect(failures).toEqual(['remove', 'add', 'joinRoom']);
      expect(repository.needsResync).toBe(true);
      expect(await repository.members(room, 10)).toEqual({ members: [expect.any(Object)], truncated: false });

      presence.down = false;
      await repository.resync();
      expect([...presence.entries].sort()).toEqual([`*/${joined}`, `*/${kept}`, `${room}/${joined}`].sort());
      expect(repository.needsResync).toBe(false);
      expect(await repository.members(room, 10)).toEqual({ members: [{ name: 'from redis' }], truncated: false });
    });
  });

  describe('remove', () => {
    it("leaves the presence entry of a connection this node does not hold to that connection's node", async () => {
      const { presence, repository } = arrange();
      const elsewhere = newId();
      presence.entries.add(`*/${elsewhere}`);
      expect(await repository.remove(elsewhere)).toBeUndefined();
      expect([...presence.entries]).toEqual([`*/${elsewhere}`]);
    });
  });
});
