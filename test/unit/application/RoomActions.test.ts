import { describe, expect, it } from 'vitest';
import { buildCore } from '../../support/core.js';

const parsed = (frames: string[]) => frames.map((frame) => JSON.parse(frame));

describe('JoinRoom', () => {
  describe('execute', () => {
    it('answers joined to the sender, and tells the room’s other json members', async () => {
      const { gateway, connect, send } = buildCore();
      const [first, text, joiner] = [await connect('json'), await connect(), await connect('text', 'bob')];
      for (const id of [first, text]) await send(id, { action: 'joinRoom', room: 'lobby' });
      gateway.posts.length = 0;
      await send(joiner, { action: 'joinRoom', room: 'lobby' });
      expect(parsed(gateway.framesTo(joiner))).toEqual([{ type: 'joined', room: 'lobby' }]);
      expect(parsed(gateway.framesTo(first))).toEqual([
        { type: 'presence', room: 'lobby', event: 'join', member: { name: 'bob' } },
      ]);
      expect(gateway.framesTo(text)).toEqual([]);
    });

    it('refuses the same room twice, and a room past the maximum', async () => {
      const { gateway, connect, send } = buildCore({ limits: { maxRoomsPerConnection: 2 } });
      const sender = await connect();
      for (const room of ['a', 'b', 'a', 'c']) await send(sender, { action: 'joinRoom', room });
      expect(gateway.framesTo(sender)).toEqual([
        '{"type":"joined","room":"a"}',
        '{"type":"joined","room":"b"}',
        'Error: You are already in room a',
        'Error: A connection may be in at most 2 rooms',
      ]);
    });

    it('holds 50 rooms by default and refuses the 51st', async () => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect('json');
      for (let i = 1; i <= 51; i++) await send(sender, { action: 'joinRoom', room: `room-${i}` });
      const replies = parsed(gateway.framesTo(sender));
      expect(replies.filter((reply) => reply.type === 'joined')).toHaveLength(50);
      expect(replies.at(-1)).toEqual({
        type: 'error',
        code: 'TOO_MANY_ROOMS',
        message: 'A connection may be in at most 50 rooms',
      });
    });

    it.each([
      ['empty', ''],
      ['65 characters', 'r'.repeat(65)],
      ['a space', 'two words'],
      ['a slash', 'a/b'],
      ['unicode', 'café'],
      ['a control character', 'a\u0000b'],
      ['a number', 7],
      ['missing', undefined],
    ])('refuses a room name that is %s', async (_label, room) => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect('json');
      await send(sender, { action: 'joinRoom', room });
      expect(parsed(gateway.framesTo(sender))).toEqual([
        { type: 'error', code: 'INVALID_ROOM', message: 'A room name is 1 to 64 letters, digits, ".", "_" or "-"' },
      ]);
    });

    it.each([
      ['one character', 'a'],
      ['64 characters', 'r'.repeat(64)],
      ['dots, dashes and underscores', 'team.alpha_1-b'],
      ['__proto__', '__proto__'],
    ])('accepts a room name of %s', async (_label, room) => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect();
      await send(sender, { action: 'joinRoom', room });
      await send(sender, { action: 'sendMessage', room, data: 'inside' });
      expect(gateway.framesTo(sender)).toEqual([JSON.stringify({ type: 'joined', room }), 'inside']);
    });
  });
});

describe('LeaveRoom', () => {
  describe('execute', () => {
    it('answers left, tells the others, and stops the room’s messages', async () => {
      const { gateway, connect, send } = buildCore();
      const [leaver, stayer] = [await connect('text', 'carol'), await connect('json')];
      for (const id of [leaver, stayer]) await send(id, { action: 'joinRoom', room: 'r' });
      gateway.posts.length = 0;
      await send(leaver, { action: 'leaveRoom', room: 'r' });
      await send(stayer, { action: 'sendMessage', room: 'r', data: 'after' });
      expect(gateway.framesTo(leaver)).toEqual(['{"type":"left","room":"r"}']);
      expect(parsed(gateway.framesTo(stayer))).toEqual([
        { type: 'presence', room: 'r', event: 'leave', member: { name: 'carol' } },
        expect.objectContaining({ type: 'message', data: 'after' }),
      ]);
    });

    it('refuses a room it never joined', async () => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect();
      await send(sender, { action: 'leaveRoom', room: 'never' });
      expect(gateway.framesTo(sender)).toEqual(['Error: You are not in room never']);
    });
  });
});

describe('SetName', () => {
  describe('execute', () => {
    it('names later messages and member lists', async () => {
      const { gateway, connect, send } = buildCore();
      const [renamed, watcher] = [await connect(), await connect('json')];
      for (const id of [renamed, watcher]) await send(id, { action: 'joinRoom', room: 'r' });
      await send(renamed, { action: 'setName', name: '  dave  ' });
      await send(renamed, { action: 'sendMessage', room: 'r', data: 'hi' });
      await send(watcher, { action: 'listMembers', room: 'r' });
      expect(gateway.framesTo(renamed)).toContain('{"type":"named","name":"dave"}');
      const events = parsed(gateway.framesTo(watcher));
      expect(events.find((event) => event.type === 'message')?.from).toEqual({ name: 'dave' });
      expect(events.find((event) => event.type === 'members')?.members).toContainEqual({ name: 'dave' });
    });

    it('refuses to change a name that comes from a verified token', async () => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect('text', undefined, { name: 'Alice', user: 'sub-1' });
      await send(sender, { action: 'setName', name: 'Mallory' });
      expect(gateway.framesTo(sender)).toEqual(['Error: Your name comes from your sign-in and cannot be changed here']);
    });

    it.each([
      ['empty', ''],
      ['only spaces', '   '],
      ['33 characters', 'n'.repeat(33)],
      ['a control character', 'bad\u0007name'],
      ['a newline', 'two\nlines'],
      ['a right-to-left override', 'evil\u202Egnp.exe'],
      ['a left-to-right isolate', 'a\u2066b'],
      ['a number', 42],
    ])('refuses a name that is %s', async (_label, name) => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect('json');
      await send(sender, { action: 'setName', name });
      expect(parsed(gateway.framesTo(sender))).toEqual([
        {
          type: 'error',
          code: 'INVALID_NAME',
          message: 'A name is 1 to 32 printable characters, without control or bidi-override characters',
        },
      ]);
    });

    it.each([
      ['one character', 'x'],
      ['32 characters', 'n'.repeat(32)],
      ['32 emoji', '😀'.repeat(32)],
      ['accents and scripts', 'Zoë 李 ناصر'],
    ])('accepts a name of %s', async (_label, name) => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect();
      await send(sender, { action: 'setName', name });
      expect(gateway.framesTo(sender)).toEqual([JSON.stringify({ type: 'named', name })]);
    });
  });
});

describe('ListMembers', () => {
  describe('execute', () => {
    it('names the room’s members to a member, capped, with a truncated flag', async () => {
      const { gateway, connect, send } = buildCore({ limits: { memberListCap: 3 } });
      const members = [];
      for (let i = 0; i < 5; i++) members.push(await connect('text', `m${i}`));
      for (const id of members) await send(id, { action: 'joinRoom', room: 'big' });
      gateway.posts.length = 0;
      await send(members[0]!, { action: 'listMembers', room: 'big' });
      const [reply] = parsed(gateway.framesTo(members[0]!));
      expect(reply).toMatchObject({ type: 'members', room: 'big', truncated: true });
      expect(reply.members).toHaveLength(3);
    });

    it('refuses a room the sender is not in', async () => {
      const { gateway, connect, send } = buildCore();
      const sender = await connect();
      await send(sender, { action: 'listMembers', room: 'secret' });
      expect(gateway.framesTo(sender)).toEqual(['Error: You are not in room secret']);
    });
  });
});
