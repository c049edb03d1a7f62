import { describe, expect, it } from 'vitest';
import { InMemoryConnectionRepository, InMemoryMessageHistory } from '../../../src/adapters/memory/index.js';
import { Fanout } from '../../../src/application/index.js';
import {
  type ConnectionId,
  type Delivery,
  type MessageDraft,
  RecipientsUnreachedError,
  type RoomName,
} from '../../../src/domain/index.js';
import { buildCore } from '../../support/core.js';
import { collect, newId, PublishingGateway, RecordingGateway } from '../../support/fakes.js';

const draft = (data: string, room: RoomName | null = null): MessageDraft => ({
  room,
  from: { name: 'alice' },
  ts: 1,
  data,
});

async function arrange(count: number, { pageSize = 1000, latencyMs = 0, maxConcurrentDeliveries = 64 } = {}) {
  const connections = new InMemoryConnectionRepository({ pageSize });
  const gateway = new RecordingGateway(latencyMs);
  const ids = Array.from({ length: count }, () => newId());
  for (const id of ids) await connections.add({ id, format: 'text', name: id, nameLocked: false });
  const fanout = new Fanout(connections, gateway, new InMemoryMessageHistory(), { maxConcurrentDeliveries });
  return { connections, gateway, ids, fanout };
}

const listedIds = async (connections: InMemoryConnectionRepository) =>
  (await collect(connections.list(null))).flat().map((member) => member.id);

describe('Fanout', () => {
  describe('message', () => {
    it('reaches members on every page of the listing', async () => {
      const { gateway, fanout } = await arrange(25, { pageSize: 4 });
      await fanout.message(draft('x'));
      expect(gateway.posts).toHaveLength(25);
    });

    it('removes a connection that is gone, and only that one', async () => {
      const { connections, gateway, ids, fanout } = await arrange(4);
      gateway.gone.add(ids[2]!);
      await fanout.message(draft('hi'));
      expect(gateway.posts).toHaveLength(4);
      expect((await listedIds(connections)).sort()).toEqual(ids.filter((id) => id !== ids[2]).sort());
    });

    it('tells the rooms of a connection found gone that it left', async () => {
      const { gateway, connect, send, fanout } = buildCore();
      const [gone, watcher] = [await connect('text', 'ghost'), await connect('json')];
      for (const id of [gone, watcher]) await send(id, { action: 'joinRoom', room: 'haunt' });
      gateway.posts.length = 0;
      gateway.gone.add(gone);
      await fanout.message(draft('boo'));
      expect(gateway.framesTo(watcher).map((frame) => JSON.parse(frame))).toEqual([
        expect.objectContaining({ type: 'message', data: 'boo' }),
        { type: 'presence', room: 'haunt', event: 'leave', member: { name: 'ghost' } },
      ]);
    });

    it('works with a gateway that answers at once, removing the recipients it reports gone', async () => {
      const connections = new InMemoryConnectionRepository({ pageSize: 3 });
      const ids = Array.from({ length: 7 }, () => newId());
      for (const id of ids) await connections.add({ id, format: 'text', name: 'n', nameLocked: false });
      const stale = new Set([ids[1], ids[5]]);
      const posted: string[] = [];
      const immediate = {
        post: (to: ConnectionId): Delivery => {
          posted.push(to);
          return stale.has(to) ? 'gone' : 'delivered';
        },
        disconnect: async () => {},
      };
      await new Fanout(connections, immediate, new InMemoryMessageHistory()).message(draft('now'));
      expect(posted.sort()).toEqual([...ids].sort());
      expect((await listedIds(connections)).sort()).toEqual(ids.filter((id) => !stale.has(id)).sort());
    });

    it('never has more deliveries in flight than the bound', async () => {
      const { gateway, fanout } = await arrange(40, { latencyMs: 2, maxConcurrentDeliveries: 5 });
      await fanout.message(draft('x'));
      expect(gateway.posts).toHaveLength(40);
      expect(gateway.maxInFlight).toBe(5);
    });

    it('still delivers to everyone else when one delivery fails, then reports how many failed', async () => {
      const { gateway, ids, fanout } = await arrange(3, { maxConcurrentDeliveries: 1 });
      gateway.failing.add(ids[1]!);
      await expect(fanout.message(draft('x'))).rejects.toEqual(new RecipientsUnreachedError(1));
      expect(gateway.posts.map((p) => p.to).sort()).toEqual([ids[0], ids[2]].sort());
    });

    it('goes on to every later page after failures, and counts them all', async () => {
      const { gateway, ids, fanout } = await arrange(30, { pageSize: 4, maxConcurrentDeliveries: 2 });
      for (const id of [ids[0], ids[1], ids[17]]) gateway.failing.add(id!);
      const failure = await fanout.message(draft('x')).catch((error: unknown) => error);
      expect(failure).toBeInstanceOf(RecipientsUnreachedError);
      expect((failure as RecipientsUnreachedError).unreached).toBe(3);
      expect(gateway.posts).toHaveLength(27);
    });

    it('does not fail a broadcast that reached everyone', async () => {
      const { gateway, fanout } = await arrange(9, { pageSize: 2 });
      await expect(fanout.message(draft('x'))).resolves.toBeUndefined();
      expect(gateway.posts).toHaveLength(9);
    });

    it('rejects a non-positive concurrency bound at construction', () => {
      const connections = new InMemoryConnectionRepository();
      const history = new InMemoryMessageHistory();
      expect(() => new Fanout(connections, new RecordingGateway(), history, { maxConcurrentDeliveries: 0 })).toThrow(
        RangeError,
      );
    });
  });

  describe('across processes (a gateway that publishes)', () => {
    it('publishes each message once, whatever the audience, and serves only its text members itself', async () => {
      const gateway = new PublishingGateway();
      const { fanout, connect } = buildCore({ gateway });
      const json = await connect('json');
      for (let i = 0; i < 20; i++) await connect();
      await fanout.message(draft('one'));
      expect(gateway.published).toEqual([{ kind: 'message', draft: draft('one') }]);
      expect(gateway.posts).toHaveLength(20);
      expect(gateway.framesTo(json)).toEqual([]);
    });

    it('gives json members a message once it comes back numbered, and text members no second copy', async () => {
      const gateway = new PublishingGateway();
      const { fanout, connect } = buildCore({ gateway });
      const [text, json] = [await connect(), await connect('json')];
      await fanout.message(draft('mine'));
      const message = { id: '0000000000000001', ...draft('mine') };
      await fanout.deliver({ kind: 'message', message, own: true });
      expect(gateway.framesTo(text)).toEqual(['mine']);
      expect(gateway.framesTo(json).map((frame) => JSON.parse(frame))).toEqual([
        { type: 'message', id: '0000000000000001', room: null, from: { name: 'alice' }, ts: 1, data: 'mine' },
      ]);
      await fanout.deliver({
        kind: 'message',
        message: { ...message, id: '0000000000000002', data: 'theirs' },
        own: false,
      });
      expect(gateway.framesTo(text)).toEqual(['mine', 'theirs']);
    });

    it('still serves text members here when the others are unreachable, then rethrows', async () => {
      const gateway = new PublishingGateway();
      const { fanout, connect } = buildCore({ gateway });
      const [text, json] = [await connect(), await connect('json')];
      gateway.unreachable = true;
      await expect(fanout.message(draft('local'))).rejects.toThrow(/unreachable/);
      expect(gateway.framesTo(text)).toEqual(['local']);
      expect(gateway.framesTo(json)).toEqual([]);
    });

    it('publishes presence changes, and delivers relayed ones to the json members but their subject', async () => {
      const gateway = new PublishingGateway();
      const { fanout, connect, send } = buildCore({ gateway });
      const [subject, text, json] = [await connect('json'), await connect(), await connect('json')];
      for (const id of [subject, text, json]) await send(id, { action: 'joinRoom', room: 'r' });
      expect(gateway.published.filter((p) => p.kind === 'presence')).toHaveLength(3);
      gateway.posts.length = 0;
      const change = { room: 'r' as RoomName, event: 'leave' as const, member: { name: 'x' }, subject };
      await fanout.deliver({ kind: 'presence', change });
      expect(gateway.posts.map((post) => post.to)).toEqual([json]);
    });

    it('tells a room’s members of messages lost in transit, in their format', async () => {
      const { fanout, gateway, connect, send } = buildCore();
      const [text, json] = [await connect(), await connect('json')];
      for (const id of [text, json]) await send(id, { action: 'joinRoom', room: 'r' });
      gateway.posts.length = 0;
      await fanout.deliver({ kind: 'lost', room: 'r' as RoomName, count: 3 });
      expect(gateway.framesTo(text)).toEqual(['Error: 3 messages in room r could not be delivered']);
      expect(JSON.parse(gateway.framesTo(json)[0] as string)).toEqual({
        type: 'error',
        code: 'MESSAGES_LOST',
        message: '3 messages in room r could not be delivered',
      });
    });
  });
});
