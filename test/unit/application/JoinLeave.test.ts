import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository } from '../../../src/adapters/memory/index.js';
import { JoinChat, LeaveChat } from '../../../src/application/index.js';
import { collect, newId } from '../../support/fakes.js';

describe('JoinChat', () => {
  describe('execute', () => {
    it('adds the connection to the audience', async () => {
      const connections = new InMemoryConnectionRepository();
      const id = newId();
      await new JoinChat(connections).execute(id);
      expect((await collect(connections.list())).flat()).toEqual([id]);
    });
  });
});

describe('LeaveChat', () => {
  describe('execute', () => {
    it('removes the connection and keeps the others', async () => {
      const connections = new InMemoryConnectionRepository();
      const [a, b] = [newId(), newId()];
      await new JoinChat(connections).execute(a);
      await new JoinChat(connections).execute(b);
      await new LeaveChat(connections).execute(a);
      expect((await collect(connections.list())).flat()).toEqual([b]);
    });

    it('is harmless for a connection that already left', async () => {
      const connections = new InMemoryConnectionRepository();
      const leave = new LeaveChat(connections);
      await expect(leave.execute(newId())).resolves.toBeUndefined();
    });
  });
});
