import { afterEach, describe, expect, it, vi } from 'vitest';
import { buildCore } from '../../support/core.js';

const NOW = Date.parse('2026-12-01T12:00:00Z');

describe('BroadcastMessage', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('execute', () => {
    it('gives text members the data verbatim and json members a message event with id, sender and time', async () => {
      const { gateway, connect, send } = buildCore({ now: () => NOW });
      const [alice, text, json] = [await connect('json', 'alice'), await connect(), await connect('json')];
      await send(alice, { action: 'sendMessage', data: 'hello world' });
      expect(gateway.framesTo(text)).toEqual(['hello world']);
      const [event] = gateway.framesTo(json).map((frame) => JSON.parse(frame));
      expect(event).toEqual({
        type: 'message',
        id: expect.stringMatching(/^\d{16}$/),
        room: null,
        from: { name: 'alice' },
        ts: NOW,
        data: 'hello world',
      });
      expect(gateway.framesTo(alice)).toEqual(gateway.framesTo(json));
    });

    it('encodes each format once per broadcast, not once per recipient', async () => {
      const { gateway, connect, send } = buildCore();
      const members = [];
      for (let i = 0; i < 60; i++) members.push(await connect(i % 2 === 0 ? 'json' : 'text'));
      const stringify = vi.spyOn(JSON, 'stringify');
      await send(members[1]!, { action: 'sendMessage', data: 'once' });
      expect(gateway.posts.filter((post) => post.frame !== 'once')).toHaveLength(30);
      // One for the frame the test sent, one for the json event.
      expect(stringify).toHaveBeenCalledTimes(2);
    });

    it('stamps who sent it and when: fields a client sends for them are ignored', async () => {
      const { gateway, connect, send } = buildCore({ now: () => NOW });
      const [mallory, watcher] = [await connect('text', 'mallory'), await connect('json')];
      await send(mallory, { action: 'sendMessage', data: 'hi', from: { name: 'admin', user: 'root' }, ts: 1, id: 'x' });
      expect(JSON.parse(gateway.framesTo(watcher)[0] as string)).toMatchObject({ from: { name: 'mallory' }, ts: NOW });
    });

    it('sends to the members of a room only, the sender included, and keeps rooms apart', async () => {
      const { gateway, connect, send } = buildCore();
      const [a, b, c, outsider] = [await connect(), await connect('json'), await connect(), await connect()];
      for (const id of [a, b]) await send(id, { action: 'joinRoom', room: 'red' });
      await send(c, { action: 'joinRoom', room: 'blue' });
      gateway.posts.length = 0;
      await send(a, { action: 'sendMessage', room: 'red', data: 'to red' });
      expect(gateway.framesTo(a)).toEqual(['to red']);
      expect(JSON.parse(gateway.framesTo(b)[0] as string)).toMatchObject({ room: 'red', data: 'to red' });
      expect(gateway.framesTo(c)).toEqual([]);
      expect(gateway.framesTo(outsider)).toEqual([]);
    });

    it('refuses a room the sender is not in, and a room name that is not one', async () => {
      const { gateway, connect, send } = buildCore();
      const [sender, member] = [await connect(), await connect()];
      await send(member, { action: 'joinRoom', room: 'red' });
      gateway.posts.length = 0;
      await send(sender, { action: 'sendMessage', room: 'red', data: 'let me in' });
      await send(sender, { action: 'sendMessage', room: 'no spaces', data: 'x' });
      await send(sender, { action: 'sendMessage', room: 7, data: 'x' });
      expect(gateway.posts).toEqual([
        { to: sender, frame: 'Error: You are not in room red' },
        { to: sender, frame: 'Error: A room name is 1 to 64 letters, digits, ".", "_" or "-"' },
        { to: sender, frame: 'Error: A room name is 1 to 64 letters, digits, ".", "_" or "-"' },
      ]);
    });

    it.each([
      ['missing', undefined],
      ['a number', 42],
      ['null', null],
      ['an object', { text: 'hi' }],
      ['an array', ['hi']],
    ])('answers the sender alone when data is %s, and broadcasts nothing', async (_label, data) => {
      const { gateway, connect, send } = buildCore();
      const [, sender] = [await connect(), await connect()];
      await send(sender, { action: 'sendMessage', data });
      expect(gateway.posts).toEqual([
        { to: sender, frame: 'Error: sendMessage needs a "data" field holding a string' },
      ]);
    });

    it('broadcasts an empty string, which is a valid message', async () => {
      const { gateway, connect, send } = buildCore();
      const [a] = [await connect(), await connect()];
      await send(a, { action: 'sendMessage', data: '' });
      expect(gateway.posts.map((post) => post.frame)).toEqual(['', '']);
    });

    it('stores each message in its room’s history under the id its receivers see', async () => {
      const { gateway, history, connect, send } = buildCore();
      const json = await connect('json');
      await send(json, { action: 'joinRoom', room: 'kept' });
      await send(json, { action: 'sendMessage', room: 'kept', data: 'remember me' });
      const received = JSON.parse(gateway.framesTo(json).at(-1) as string);
      const { messages } = await history.read(received.room, { limit: 10 });
      expect(messages).toEqual([
        { id: received.id, room: 'kept', from: received.from, ts: received.ts, data: 'remember me' },
      ]);
    });
  });
});
