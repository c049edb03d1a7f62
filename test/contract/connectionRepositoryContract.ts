import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DEFAULT_CHAT_LIMITS, forEachBounded } from '../../src/application/index.js';
import type { ConnectionId, ConnectionRepository, NewConnection, RoomName } from '../../src/domain/index.js';
import { collect, newId } from '../support/fakes.js';

export interface RepositoryHarness {
  readonly repository: ConnectionRepository;
  /** Releases what the factory acquired (tables, keys, clients). */
  close(): Promise<void>;
  /**
   * Stores `connections` as members of `room`, as `add` then `joinRoom` of each would, in bulk:
   * for an adapter whose one-by-one writes would make a large room slow to set up. Without it
   * the suite adds and joins each connection.
   */
  seedRoom?(room: RoomName, connections: readonly NewConnection[]): Promise<void>;
}

export interface RepositoryFactoryOptions {
  /** The page size the adapter under test must list with. */
  readonly pageSize: number;
}

let rooms = 0;
/** A room name no other test uses. */
export const newRoom = (): RoomName =>
  `room-${process.pid}-${++rooms}-${Math.random().toString(36).slice(2, 6)}` as RoomName;

/** A text-format connection named after its id. */
export const connection = (id: ConnectionId = newId(), extra: Partial<NewConnection> = {}): NewConnection => ({
  id,
  format: 'text',
  name: `name-${id.slice(-6)}`,
  nameLocked: false,
  ...extra,
});

/**
 * What every ConnectionRepository promises. Call once per adapter; the factory must give each
 * test fresh, empty state.
 */
export function connectionRepositoryContract(
  name: string,
  factory: (options: RepositoryFactoryOptions) => Promise<RepositoryHarness>,
): void {
  describe(`ConnectionRepository contract: ${name}`, () => {
    const pageSize = 10;
    let harness: RepositoryHarness;
    let repository: ConnectionRepository;

    beforeEach(async () => {
      harness = await factory({ pageSize });
      repository = harness.repository;
    });
    afterEach(async () => {
      await harness.close();
    });

    const listed = async (room: RoomName | null = null) =>
      (await collect(repository.list(room)))
        .flat()
        .map((member) => member.id)
        .sort();
    const added = async (count: number, extra: Partial<NewConnection> = {}) => {
      const ids = Array.from({ length: count }, () => newId());
      for (const id of ids) await repository.add(connection(id, extra));
      return ids;
    };

    describe('connections', () => {
      it('lists nothing when nobody is connected', async () => {
        expect(await listed()).toEqual([]);
      });

      it('keeps a connection’s record: format, name, verified user, and no room yet', async () => {
        const id = newId();
        await repository.add(connection(id, { format: 'json', name: 'alice', user: 'u-1', nameLocked: true }));
        expect(await repository.get(id)).toEqual({
          id,
          format: 'json',
          name: 'alice',
          user: 'u-1',
          nameLocked: true,
          rooms: [],
        });
        expect(await repository.get(newId())).toBeUndefined();
      });

      it('lists a connection once it is added, with its format and name', async () => {
        const id = newId();
        await repository.add(connection(id, { format: 'json', name: 'bob' }));
        const [page] = await collect(repository.list(null));
        expect(page).toEqual([expect.objectContaining({ id, format: 'json', name: 'bob' })]);
      });

      it('treats adding the same id twice as harmless', async () => {
        const id = newId();
        await repository.add(connection(id));
        await repository.add(connection(id));
        expect(await listed()).toEqual([id]);
      });

      it('forgets a removed connection and keeps the others', async () => {
        const [a, b] = await added(2);
        expect(await repository.remove(a as ConnectionId)).toEqual({
          id: a,
          format: 'text',
          name: `name-${(a as string).slice(-6)}`,
          nameLocked: false,
          rooms: [],
        });
        expect(await listed()).toEqual([b]);
        expect(await repository.get(a as ConnectionId)).toBeUndefined();
      });

      it('treats removing an unknown id, or removing twice, as harmless', async () => {
        const [id] = await added(1);
        expect(await repository.remove(newId())).toBeUndefined();
        await repository.remove(id as ConnectionId);
        expect(await repository.remove(id as ConnectionId)).toBeUndefined();
        expect(await listed()).toEqual([]);
      });

      it('lists every member exactly once across pages no larger than the page size', async () => {
        const ids = await added(pageSize * 3 + 7);
        const pages = await collect(repository.list(null));
        expect(pages.length).toBeGreaterThanOrEqual(4);
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(pageSize);
        expect(
          pages
            .flat()
            .map((member) => member.id)
            .sort(),
        ).toEqual([...ids].sort());
      });

      it('keeps every concurrent add', async () => {
        const ids = Array.from({ length: 50 }, () => newId());
        await Promise.all(ids.map((id) => repository.add(connection(id))));
        expect(await listed()).toEqual([...ids].sort());
      });

      it('still lists the members nobody removed while a listing is under way', async () => {
        const ids = await added(pageSize * 2 + 3);
        const seen: string[] = [];
        let removedCount = 0;
        for await (const page of repository.list(null)) {
          seen.push(...page.map((member) => member.id));
          if (removedCount === 0) {
            for (const { id } of page) await repository.remove(id);
            removedCount = page.length;
          }
        }
        expect([...seen].sort()).toEqual([...ids].sort());
        expect(removedCount).toBeGreaterThan(0);
        expect(await listed()).toHaveLength(ids.length - removedCount);
      });

      it('renames a connection in its record and in its rooms; an unknown id is harmless', async () => {
        const [id] = (await added(1)) as [ConnectionId];
        const room = newRoom();
        await repository.joinRoom(id, room, 50);
        await repository.rename(id, 'carol');
        await expect(repository.rename(newId(), 'nobody')).resolves.toBeUndefined();
        expect((await repository.get(id))?.name).toBe('carol');
        expect(await repository.members(room, 10)).toEqual({ members: [{ name: 'carol' }], truncated: false });
      });
    });

    describe('rate limit', () => {
      const limit = { perSecond: 2, burst: 3, cutAfterMs: 5000 };
      const verdicts = async (id: ConnectionId, times: number[]) => {
        const found = [];
        for (const now of times) found.push((await repository.admit(id, limit, now)).verdict);
        return found;
      };

      it('allows a burst, then one frame per interval, and comes with the record', async () => {
        const [id] = (await added(1, { name: 'rated' })) as [ConnectionId];
        expect(await verdicts(id, [1000, 1000, 1000, 1000])).toEqual(['allowed', 'allowed', 'allowed', 'limited']);
        expect(await verdicts(id, [1500, 1500, 2600])).toEqual(['allowed', 'limited', 'allowed']);
        expect((await repository.admit(id, limit, 2600)).connection).toMatchObject({ id, name: 'rated' });
      });

      it('charges concurrent frames exactly', async () => {
        const [id] = (await added(1)) as [ConnectionId];
        const all = await Promise.all(Array.from({ length: 10 }, () => repository.admit(id, limit, 50_000)));
        expect(all.filter((admission) => admission.verdict === 'allowed')).toHaveLength(3);
      });

      it('cuts a connection that keeps flooding past the cut-off, even if some frames get through', async () => {
        const [id] = (await added(1)) as [ConnectionId];
        const times = Array.from({ length: 70 }, (_, i) => 10_000 + i * 100);
        const found = await verdicts(id, times);
        expect(found.slice(0, 3)).toEqual(['allowed', 'allowed', 'allowed']);
        expect(found).toContain('limited');
        expect(found.slice(-5)).toContain('cut');
        expect((await repository.admit(id, limit, 30_000)).verdict).toBe('allowed');
      });

      it('counts a flood handled in spurts as one, and two floods far apart as two', async () => {
        // Limited frames up to half the cut-off (2.5 s) apart are one flood.
        const spurt = (from: number, frames: number) => Array.from({ length: frames }, (_, i) => from + i * 100);
        const [spurts, episodes] = (await added(2)) as [ConnectionId, ConnectionId];
        const early = [...(await verdicts(spurts, spurt(10_000, 20))), ...(await verdicts(spurts, spurt(13_400, 10)))];
        expect(early).toContain('limited');
        expect(early).not.toContain('cut');
        // 1.2 s later, 5.2 s after the flood began: its next limited frame cuts it.
        expect(await verdicts(spurts, [15_500, 15_500, 15_500, 15_500])).toContain('cut');
        // 4 s apart: the second flood starts over, and 2 s of it is not enough.
        await verdicts(episodes, spurt(10_000, 20));
        expect(await verdicts(episodes, spurt(16_000, 20))).not.toContain('cut');
      });

      it('allows the frames of a connection it does not know', async () => {
        expect(await repository.admit(newId(), limit, 0)).toEqual({ connection: undefined, verdict: 'allowed' });
      });

      it('keeps each connection’s limit apart', async () => {
        const [a, b] = (await added(2)) as [ConnectionId, ConnectionId];
        await verdicts(a, [0, 0, 0, 0]);
        expect(await verdicts(b, [0])).toEqual(['allowed']);
      });
    });

    describe('rooms', () => {
      it('lists a room’s members only, and keeps two rooms apart', async () => {
        const [a, b, c] = (await added(3)) as [ConnectionId, ConnectionId, ConnectionId];
        const [red, blue] = [newRoom(), newRoom()];
        expect(await repository.joinRoom(a, red, 50)).toBe('joined');
        expect(await repository.joinRoom(b, red, 50)).toBe('joined');
        expect(await repository.joinRoom(c, blue, 50)).toBe('joined');
        expect(await listed(red)).toEqual([a, b].sort());
        expect(await listed(blue)).toEqual([c]);
        expect(await listed(newRoom())).toEqual([]);
        expect(await listed()).toEqual([a, b, c].sort());
        expect((await repository.get(a))?.rooms).toEqual([red]);
      });

      it('answers a second join of the same room as already a member', async () => {
        const [id] = (await added(1)) as [ConnectionId];
        const room = newRoom();
        await repository.joinRoom(id, room, 50);
        expect(await repository.joinRoom(id, room, 50)).toBe('already-member');
        expect(await listed(room)).toEqual([id]);
      });

      it('refuses a room past the maximum, and an unknown connection', async () => {
        const [id] = (await added(1)) as [ConnectionId];
        const joined = [newRoom(), newRoom(), newRoom()];
        for (const room of joined) expect(await repository.joinRoom(id, room, 3)).toBe('joined');
        const extra = newRoom();
        expect(await repository.joinRoom(id, extra, 3)).toBe('too-many-rooms');
        expect(await listed(extra)).toEqual([]);
        expect([...((await repository.get(id))?.rooms ?? [])].sort()).toEqual([...joined].sort());
        expect(await repository.joinRoom(newId(), newRoom(), 3)).toBe('unknown-connection');
      });

      it('leaves a room, and answers false for a room it was not in', async () => {
        const [a, b] = (await added(2)) as [ConnectionId, ConnectionId];
        const room = newRoom();
        await repository.joinRoom(a, room, 50);
        await repository.joinRoom(b, room, 50);
        expect(await repository.leaveRoom(a, room)).toBe(true);
        expect(await repository.leaveRoom(a, room)).toBe(false);
        expect(await repository.leaveRoom(a, newRoom())).toBe(false);
        expect(await listed(room)).toEqual([b]);
        expect((await repository.get(a))?.rooms).toEqual([]);
      });

      it('removes a connection from every room it was in, and says which', async () => {
        const [a, b] = (await added(2)) as [ConnectionId, ConnectionId];
        const [red, blue] = [newRoom(), newRoom()];
        for (const room of [red, blue]) await repository.joinRoom(a, room, 50);
        await repository.joinRoom(b, red, 50);
        expect([...((await repository.remove(a))?.rooms ?? [])].sort()).toEqual([red, blue].sort());
        expect(await listed(red)).toEqual([b]);
        expect(await listed(blue)).toEqual([]);
      });

      it('pages a room’s members, each exactly once, with their format', async () => {
        const ids = await added(pageSize * 2 + 1, { format: 'json' });
        const room = newRoom();
        for (const id of ids) await repository.joinRoom(id as ConnectionId, room, 50);
        const pages = await collect(repository.list(room));
        for (const page of pages) expect(page.length).toBeLessThanOrEqual(pageSize);
        expect(
          pages
            .flat()
            .map((member) => member.id)
            .sort(),
        ).toEqual([...ids].sort());
        expect(pages.flat().every((member) => member.format === 'json')).toBe(true);
      });

      it('names a room’s members up to the cap, and says when there are more', async () => {
        const ids = await added(5, { user: 'someone' });
        const room = newRoom();
        for (const id of ids) await repository.joinRoom(id as ConnectionId, room, 50);
        const all = await repository.members(room, 10);
        expect(all.truncated).toBe(false);
        expect(all.members.map((member) => member.name).sort()).toEqual(ids.map((id) => `name-${id.slice(-6)}`).sort());
        expect(all.members.every((member) => member.user === 'someone')).toBe(true);
        const capped = await repository.members(room, 3);
        expect(capped).toEqual({ members: expect.any(Array), truncated: true });
        expect(capped.members).toHaveLength(3);
        expect(await repository.members(newRoom(), 3)).toEqual({ members: [], truncated: false });
      });

      it('names no more than the member list cap of a room of 5,000 members', async () => {
        const cap = DEFAULT_CHAT_LIMITS.memberListCap;
        const room = newRoom();
        const crowd = Array.from({ length: 5000 }, (_, i) =>
          connection(newId(), { name: `crowd-${i}`, user: 'crowd' }),
        );
        const [last, ...seeded] = crowd as [NewConnection, ...NewConnection[]];
        if (harness.seedRoom === undefined) {
          await forEachBounded(seeded, 50, async (member) => {
            await repository.add(member);
            expect(await repository.joinRoom(member.id, room, 50)).toBe('joined');
          });
        } else {
          await harness.seedRoom(room, seeded);
        }
        // One member the adapter's own way; a seeded one is a member as if it had joined.
        await repository.add(last);
        expect(await repository.joinRoom(last.id, room, 50)).toBe('joined');
        const sample = seeded[seeded.length - 1] as NewConnection;
        expect(await repository.get(sample.id)).toMatchObject({ name: sample.name, user: 'crowd', rooms: [room] });
        expect(await repository.joinRoom(sample.id, room, 50)).toBe('already-member');

        const capped = await repository.members(room, cap);
        expect(capped.truncated).toBe(true);
        expect(capped.members).toHaveLength(cap);
        expect(new Set(capped.members.map((member) => member.name)).size).toBe(cap);
        const names = new Set(crowd.map((member) => member.name));
        expect(capped.members.every((member) => names.has(member.name) && member.user === 'crowd')).toBe(true);
      }, 60_000);
    });
  });
}
