import { describe, expect, it } from 'vitest';
import { buildCore } from '../../support/core.js';

const parsed = (frames: string[]) => frames.map((frame) => JSON.parse(frame));

async function arrangeRoom() {
  const core = buildCore();
  const [reader, writer] = [await core.connect('json'), await core.connect('text', 'writer')];
  for (const id of [reader, writer]) await core.send(id, { action: 'joinRoom', room: 'r' });
  for (let i = 1; i <= 5; i++) await core.send(writer, { action: 'sendMessage', room: 'r', data: `m${i}` });
  const received = parsed(core.gateway.framesTo(reader)).filter((event) => event.type === 'message');
  core.gateway.posts.length = 0;
  return { ...core, reader, writer, received };
}

describe('ReadHistory', () => {
  describe('execute', () => {
    it('gives a member what followed the last id it saw, exactly, oldest first', async () => {
      const { gateway, send, reader, received } = await arrangeRoom();
      await send(reader, { action: 'history', room: 'r', after: received[1].id });
      const [reply] = parsed(gateway.framesTo(reader));
      expect(reply).toEqual({
        type: 'history',
        room: 'r',
        messages: received.slice(2).map(({ type: _, ...message }) => message),
        complete: true,
      });
    });

    it('gives the latest messages within the limit when no id is given, and pages by limit', async () => {
      const { gateway, send, reader, received } = await arrangeRoom();
      await send(reader, { action: 'history', room: 'r', limit: 2 });
      await send(reader, { action: 'history', room: 'r', after: received[0].id, limit: 2 });
      const [latest, page] = parsed(gateway.framesTo(reader));
      expect(latest.messages.map((message: { data: string }) => message.data)).toEqual(['m4', 'm5']);
      expect(page.messages.map((message: { data: string }) => message.data)).toEqual(['m2', 'm3']);
    });

    it('serves the global audience’s history to anyone', async () => {
      const { gateway, connect, send } = buildCore();
      const [a, b] = [await connect(), await connect('json')];
      await send(a, { action: 'sendMessage', data: 'to all' });
      await send(b, { action: 'history' });
      const reply = parsed(gateway.framesTo(b)).find((event) => event.type === 'history');
      expect(reply).toMatchObject({ room: null, complete: true, messages: [{ data: 'to all', room: null }] });
    });

    it.each([
      ['after that is not an id', { after: 'yesterday' }, 'INVALID_AFTER'],
      ['after that is a number', { after: 12 }, 'INVALID_AFTER'],
      ['limit 0', { limit: 0 }, 'INVALID_LIMIT'],
      ['limit 101', { limit: 101 }, 'INVALID_LIMIT'],
      ['limit "10"', { limit: '10' }, 'INVALID_LIMIT'],
      ['limit -1', { limit: -1 }, 'INVALID_LIMIT'],
      ['limit 2.5', { limit: 2.5 }, 'INVALID_LIMIT'],
      ['a room name that is not one', { room: 'a b' }, 'INVALID_ROOM'],
      ['a room the sender is not in', { room: 'elsewhere' }, 'NOT_A_MEMBER'],
    ])('refuses %s', async (_label, request, code) => {
      const { gateway, send, reader } = await arrangeRoom();
      await send(reader, { action: 'history', room: 'r', ...request });
      expect(parsed(gateway.framesTo(reader))).toEqual([{ type: 'error', code, message: expect.any(String) }]);
    });

    it('answers an id past the newest, or of another room, with what follows it here', async () => {
      const { gateway, send, reader, received } = await arrangeRoom();
      await send(reader, { action: 'history', room: 'r', after: '9000000000000000' });
      await send(reader, { action: 'history', room: 'r', after: '0000000000000001' });
      const [future, ancient] = parsed(gateway.framesTo(reader));
      expect(future).toMatchObject({ messages: [], complete: true });
      // From before the room's record begins: not known to be all that followed.
      expect(ancient).toMatchObject({ complete: false });
      expect(ancient.messages).toHaveLength(received.length);
    });
  });
});
