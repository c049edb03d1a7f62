import { describe, expect, it } from 'vitest';
import { guestName } from '../../../src/domain/index.js';
import { buildCore } from '../../support/core.js';
import { collect, newId } from '../../support/fakes.js';

describe('JoinChat', () => {
  describe('execute', () => {
    it('adds the connection in its format, under a guest name when it asked for none', async () => {
      const { connections, join } = buildCore();
      const id = newId();
      await join.execute(id, { format: 'json', name: undefined });
      expect(await connections.get(id)).toEqual({
        id,
        format: 'json',
        name: guestName(id),
        nameLocked: false,
        rooms: [],
      });
    });

    it('uses the name it asked for, changeable', async () => {
      const { connections, join } = buildCore();
      const id = newId();
      await join.execute(id, { format: 'text', name: 'alice' });
      expect(await connections.get(id)).toMatchObject({ name: 'alice', nameLocked: false });
    });

    it('uses a verified identity over the name it asked for, and locks it', async () => {
      const { connections, join } = buildCore();
      const id = newId();
      await join.execute(id, { format: 'text', name: 'mallory' }, { name: 'Alice A.', user: 'sub-1' });
      expect(await connections.get(id)).toMatchObject({ name: 'Alice A.', user: 'sub-1', nameLocked: true });
    });
  });
});

describe('LeaveChat', () => {
  describe('execute', () => {
    it('removes the connection and keeps the others', async () => {
      const { connections, leave, connect } = buildCore();
      const [a, b] = [await connect(), await connect()];
      await leave.execute(a);
      expect((await collect(connections.list(null))).flat().map((member) => member.id)).toEqual([b]);
    });

    it('tells the json members of each room it was in that it left', async () => {
      const { gateway, leave, connect, send } = buildCore();
      const [leaver, watcher] = [await connect('text', 'leaver'), await connect('json')];
      for (const id of [leaver, watcher]) {
        await send(id, { action: 'joinRoom', room: 'a' });
        await send(id, { action: 'joinRoom', room: 'b' });
      }
      gateway.posts.length = 0;
      await leave.execute(leaver);
      expect(gateway.framesTo(watcher).map((frame) => JSON.parse(frame))).toEqual([
        { type: 'presence', room: 'a', event: 'leave', member: { name: 'leaver' } },
        { type: 'presence', room: 'b', event: 'leave', member: { name: 'leaver' } },
      ]);
    });

    it('is harmless for a connection that already left', async () => {
      const { gateway, leave } = buildCore();
      await expect(leave.execute(newId())).resolves.toBeUndefined();
      expect(gateway.posts).toEqual([]);
    });
  });
});
