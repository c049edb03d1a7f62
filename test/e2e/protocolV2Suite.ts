import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, delay, eventually } from '../support/ChatClient.js';
import type { RunningChat, RuntimeShape } from './RuntimeShape.js';

interface Event {
  readonly type: string;
  readonly [field: string]: unknown;
}

/** A client of protocol v2: connects with its options and reads json events. */
class V2Client {
  constructor(readonly chat: ChatClient) {}

  send(frame: Record<string, unknown>): void {
    this.chat.send(JSON.stringify(frame));
  }

  events(): Event[] {
    return this.chat.frames.flatMap((frame) => {
      try {
        const value = JSON.parse(frame) as Event;
        return typeof value === 'object' && value !== null && typeof value.type === 'string' ? [value] : [];
      } catch {
        return [];
      }
    });
  }

  /** Resolves with the first event (from the `from`th on) that `matches`. */
  async next(matches: (event: Event) => boolean, from = 0, timeoutMs = 10_000): Promise<Event> {
    let found: Event | undefined;
    await eventually(() => {
      found = this.events().slice(from).find(matches);
      return found !== undefined;
    }, timeoutMs);
    return found as Event;
  }

  /** Sends `frame` and resolves with the next event of `type` after it. */
  async ask(frame: Record<string, unknown>, type: string): Promise<Event> {
    const from = this.events().length;
    this.send(frame);
    return this.next((event) => event.type === type, from);
  }

  async join(room: string): Promise<void> {
    expect(await this.ask({ action: 'joinRoom', room }, 'joined')).toEqual({ type: 'joined', room });
  }
}

const ofType = (type: string) => (event: Event) => event.type === type;

/**
 * How long an upgrade may take: the first connection to a fresh aws-local loads the Lambda
 * bundles, which on a busy machine takes more than ChatClient's default 10 s.
 */
const CONNECT_TIMEOUT_MS = 30_000;

/**
 * Protocol v2 (rooms, names, formats, presence, history) as clients see it, written once and run
 * against every runtime shape; clients are spread across the shape's entry points.
 */
export function protocolV2Suite(shape: RuntimeShape): void {
  describe(`protocol v2 end to end: ${shape.name}`, () => {
    let chat: RunningChat | undefined;
    const opened: ChatClient[] = [];
    let next = 0;

    const start = async (env: Record<string, string> = {}) => {
      chat = await shape.start(env);
    };
    const connect = async (query: Record<string, string> = {}): Promise<ChatClient> => {
      const urls = chat?.urls ?? [];
      const base = urls[next++ % urls.length] as string;
      const search = new URLSearchParams(query).toString();
      const client = await ChatClient.connect(search === '' ? base : `${base}?${search}`, CONNECT_TIMEOUT_MS);
      opened.push(client);
      return client;
    };
    const json = async (name?: string) => new V2Client(await connect({ format: 'json', ...(name ? { name } : {}) }));

    afterEach(async () => {
      for (const client of opened.splice(0)) client.vanish();
      await chat?.stop('SIGKILL');
      chat = undefined;
      next = 0;
    });

    it('keeps rooms apart, and gives text and json members the same message each in its format', async () => {
      await start();
      const text = new V2Client(await connect({ name: 'tina' }));
      const [reader, other] = [await json('jo'), await json('bo')];
      await text.join('red');
      await reader.join('red');
      await other.join('blue');
      text.send({ action: 'sendMessage', room: 'red', data: 'to red' });
      const message = await reader.next(ofType('message'));
      expect(message).toEqual({
        type: 'message',
        id: expect.stringMatching(/^\d{16}$/),
        room: 'red',
        from: { name: 'tina' },
        ts: expect.any(Number),
        data: 'to red',
      });
      await eventually(() => text.chat.frames.includes('to red'));
      other.send({ action: 'sendMessage', room: 'blue', data: 'to blue' });
      await other.next(ofType('message'));
      await delay(300);
      expect(
        other
          .events()
          .filter(ofType('message'))
          .map((event) => event.data),
      ).toEqual(['to blue']);
      expect(
        reader
          .events()
          .filter(ofType('message'))
          .map((event) => event.data),
      ).toEqual(['to red']);
      expect(text.chat.frames.filter((frame) => !frame.startsWith('{'))).toEqual(['to red']);
    });

    it('tells a room’s json members who joins, leaves, and vanishes without closing', async () => {
      await start();
      const watcher = await json('watcher');
      await watcher.join('lobby');
      const comer = await json('comer');
      await comer.join('lobby');
      expect(await watcher.next(ofType('presence'))).toEqual({
        type: 'presence',
        room: 'lobby',
        event: 'join',
        member: { name: 'comer' },
      });
      await comer.ask({ action: 'leaveRoom', room: 'lobby' }, 'left');
      const seen = watcher.events().length;
      await watcher.next((event) => event.type === 'presence' && event.event === 'leave', seen - 1);
      const ghost = new V2Client(await connect({ name: 'ghost' }));
      await ghost.join('lobby');
      await watcher.next((event) => event.type === 'presence' && (event.member as { name: string }).name === 'ghost');
      ghost.chat.vanish();
      const gone = await watcher.next(
        (event) =>
          event.type === 'presence' && event.event === 'leave' && (event.member as { name: string }).name === 'ghost',
        0,
        20_000,
      );
      expect(gone).toEqual({ type: 'presence', room: 'lobby', event: 'leave', member: { name: 'ghost' } });
      expect(
        comer
          .events()
          .filter(ofType('presence'))
          .map((event) => event.event),
      ).toEqual([]);
    });

    it('stamps later messages with a name set by setName, and never with one a client claims', async () => {
      await start();
      const [writer, reader] = [await json(), await json()];
      await writer.join('r');
      await reader.join('r');
      expect(await writer.ask({ action: 'setName', name: 'alice' }, 'named')).toEqual({ type: 'named', name: 'alice' });
      writer.send({ action: 'sendMessage', room: 'r', data: 'hi', from: { name: 'admin', user: 'root' }, ts: 0 });
      const message = await reader.next((event) => event.type === 'message' && event.data === 'hi');
      expect(message.from).toEqual({ name: 'alice' });
      expect(message.ts).not.toBe(0);
    });

    it('lists the members of a room across the whole chat, to its members only', async () => {
      await start();
      const clients = [await json('m1'), await json('m2'), await json('m3')];
      for (const client of clients) await client.join('team');
      const list = await (clients[0] as V2Client).ask({ action: 'listMembers', room: 'team' }, 'members');
      expect(list).toMatchObject({ room: 'team', truncated: false });
      expect((list.members as Array<{ name: string }>).map((member) => member.name).sort()).toEqual(['m1', 'm2', 'm3']);
      const outsider = await json('out');
      expect(await outsider.ask({ action: 'listMembers', room: 'team' }, 'error')).toMatchObject({
        code: 'NOT_A_MEMBER',
      });
    });

    const ROOM_ERROR = 'A room name is 1 to 64 letters, digits, ".", "_" or "-"';
    const NAME_ERROR = 'A name is 1 to 32 printable characters, without control or bidi-override characters';
    const LIMIT_ERROR = 'limit must be a whole number from 1 to 100';
    it.each([
      ['a room name out of the alphabet', { action: 'joinRoom', room: 'no spaces' }, 'INVALID_ROOM', ROOM_ERROR],
      ['an empty room name', { action: 'joinRoom', room: '' }, 'INVALID_ROOM', ROOM_ERROR],
      ['a room name of 65 characters', { action: 'joinRoom', room: 'r'.repeat(65) }, 'INVALID_ROOM', ROOM_ERROR],
      [
        'sending to an invalid room',
        { action: 'sendMessage', room: 'no spaces', data: 'x' },
        'INVALID_ROOM',
        ROOM_ERROR,
      ],
      [
        'listing the members of an invalid room',
        { action: 'listMembers', room: 'r'.repeat(65) },
        'INVALID_ROOM',
        ROOM_ERROR,
      ],
      [
        'leaving a room never joined',
        { action: 'leaveRoom', room: 'never' },
        'NOT_A_MEMBER',
        'You are not in room never',
      ],
      [
        'sending to a room not joined',
        { action: 'sendMessage', room: 'never', data: 'x' },
        'NOT_A_MEMBER',
        'You are not in room never',
      ],
      [
        'the history of a room not joined',
        { action: 'history', room: 'never' },
        'NOT_A_MEMBER',
        'You are not in room never',
      ],
      ['an empty name', { action: 'setName', name: '' }, 'INVALID_NAME', NAME_ERROR],
      ['a name of white space only', { action: 'setName', name: '   ' }, 'INVALID_NAME', NAME_ERROR],
      ['a name of 33 characters', { action: 'setName', name: 'n'.repeat(33) }, 'INVALID_NAME', NAME_ERROR],
      ['a name with a control character', { action: 'setName', name: 'bell\u0007' }, 'INVALID_NAME', NAME_ERROR],
      ['a name with a bidi override', { action: 'setName', name: 'x\u202Eabc' }, 'INVALID_NAME', NAME_ERROR],
      ['history with a limit of 0', { action: 'history', limit: 0 }, 'INVALID_LIMIT', LIMIT_ERROR],
      ['history with a limit of -1', { action: 'history', limit: -1 }, 'INVALID_LIMIT', LIMIT_ERROR],
      ['history with a limit of 101', { action: 'history', limit: 101 }, 'INVALID_LIMIT', LIMIT_ERROR],
      ['history with a limit given as a string', { action: 'history', limit: '10' }, 'INVALID_LIMIT', LIMIT_ERROR],
      [
        'history after something not an id',
        { action: 'history', after: 'x' },
        'INVALID_AFTER',
        'after must be the id of a message, as a client received it',
      ],
      ['an unknown action', { action: 'dance' }, 'INVALID_ACTION', 'Invalid action type'],
    ])('answers %s with an error event to the sender alone', async (_label, frame, code, message) => {
      await start();
      const [sender, bystander] = [await json(), await json()];
      expect(await sender.ask(frame, 'error')).toEqual({ type: 'error', code, message });
      await delay(200);
      expect(bystander.chat.frames).toEqual([]);
    });

    it('answers a second join of the same room with ALREADY_JOINED, and tells the room nothing', async () => {
      await start();
      const [member, sender] = [await json('member'), await json('sender')];
      await member.join('twice');
      await sender.join('twice');
      await member.next(ofType('presence'));
      expect(await sender.ask({ action: 'joinRoom', room: 'twice' }, 'error')).toEqual({
        type: 'error',
        code: 'ALREADY_JOINED',
        message: 'You are already in room twice',
      });
      await delay(200);
      expect(member.events()).toEqual([
        { type: 'joined', room: 'twice' },
        { type: 'presence', room: 'twice', event: 'join', member: { name: 'sender' } },
      ]);
      const list = await sender.ask({ action: 'listMembers', room: 'twice' }, 'members');
      expect((list.members as Array<{ name: string }>).map((entry) => entry.name).sort()).toEqual(['member', 'sender']);
    });

    it('refuses a 51st room with TOO_MANY_ROOMS, and keeps the 50 the client is in', async () => {
      await start({ RATE_LIMIT_PER_S: '0' });
      const [sender, bystander] = [await json(), await json()];
      const rooms = Array.from({ length: 50 }, (_, i) => `room-${i}`);
      for (const room of rooms) sender.send({ action: 'joinRoom', room });
      await eventually(() => sender.events().filter(ofType('joined')).length === 50, 60_000);
      expect(sender.events().filter(ofType('error'))).toEqual([]);
      expect(await sender.ask({ action: 'joinRoom', room: 'room-50' }, 'error')).toEqual({
        type: 'error',
        code: 'TOO_MANY_ROOMS',
        message: 'A connection may be in at most 50 rooms',
      });
      expect(await sender.ask({ action: 'listMembers', room: 'room-50' }, 'error')).toMatchObject({
        code: 'NOT_A_MEMBER',
      });
      sender.send({ action: 'sendMessage', room: 'room-49', data: 'still in' });
      expect(await sender.next(ofType('message'))).toMatchObject({ room: 'room-49', data: 'still in' });
      expect(bystander.chat.frames).toEqual([]);
    });

    it('takes __proto__ as a room name and as a display name like any other', async () => {
      await start();
      const [named, renamed] = [await json('__proto__'), await json('plain')];
      expect(await renamed.ask({ action: 'setName', name: '__proto__' }, 'named')).toEqual({
        type: 'named',
        name: '__proto__',
      });
      await named.join('__proto__');
      await renamed.join('__proto__');
      const list = await named.ask({ action: 'listMembers', room: '__proto__' }, 'members');
      expect(list).toEqual({
        type: 'members',
        room: '__proto__',
        members: [{ name: '__proto__' }, { name: '__proto__' }],
        truncated: false,
      });
      renamed.send({ action: 'sendMessage', room: '__proto__', data: 'proto' });
      expect(await named.next(ofType('message'))).toMatchObject({
        room: '__proto__',
        from: { name: '__proto__' },
        data: 'proto',
      });
      const other = await json('other');
      await other.join('constructor');
      expect(await other.ask({ action: 'listMembers', room: 'constructor' }, 'members')).toMatchObject({
        members: [{ name: 'other' }],
      });
    });

    it.each([
      ['an empty name', ''],
      ['a name of 33 characters', 'n'.repeat(33)],
      ['a name with a control character', 'bell\u0007'],
      ['a name with a bidi override', 'x\u202Eabc'],
    ])('refuses a connection that asks for %s', async (_label, name) => {
      await start();
      const url = `${(chat?.urls ?? [])[0]}?${new URLSearchParams({ format: 'json', name })}`;
      await expect(ChatClient.connect(url, CONNECT_TIMEOUT_MS)).rejects.toThrow(/400/);
    });

    it('tells a room’s json members when a member closes its connection', async () => {
      await start();
      const watcher = await json('watcher');
      await watcher.join('lobby');
      const leaver = await json('leaver');
      await leaver.join('lobby');
      await watcher.next((event) => event.type === 'presence' && event.event === 'join');
      expect(await leaver.chat.close()).toMatchObject({ code: 1000 });
      expect(await watcher.next((event) => event.type === 'presence' && event.event === 'leave')).toEqual({
        type: 'presence',
        room: 'lobby',
        event: 'leave',
        member: { name: 'leaver' },
      });
    });

    it('answers a text client’s mistakes with Error: frames, and its room replies as JSON', async () => {
      await start();
      const text = new V2Client(await connect());
      text.send({ action: 'joinRoom', room: 'bad room' });
      text.send({ action: 'joinRoom', room: 'good' });
      await eventually(() => text.chat.frames.length === 2);
      expect(text.chat.frames).toEqual([
        'Error: A room name is 1 to 64 letters, digits, ".", "_" or "-"',
        '{"type":"joined","room":"good"}',
      ]);
    });

    it('refuses a connection that asks for a format it cannot have', async () => {
      await start();
      const urls = chat?.urls ?? [];
      await expect(ChatClient.connect(`${urls[0]}?format=xml`, CONNECT_TIMEOUT_MS)).rejects.toThrow(/400/);
    });

    it('gives a client that comes back exactly what it missed, in order, with history after its last id', async () => {
      await start();
      const [reader, writer] = [await json('reader'), await json('writer')];
      await reader.join('news');
      await writer.join('news');
      writer.send({ action: 'sendMessage', room: 'news', data: 'seen' });
      const last = await reader.next((event) => event.type === 'message' && event.data === 'seen');
      await reader.chat.close();
      const missed = Array.from({ length: 20 }, (_, i) => `missed ${i}`);
      for (const data of missed) writer.send({ action: 'sendMessage', room: 'news', data });
      await writer.next((event) => event.type === 'message' && event.data === 'missed 19');
      const back = await json('reader');
      await back.join('news');
      const page = await back.ask({ action: 'history', room: 'news', after: last.id, limit: 100 }, 'history');
      expect(page.complete).toBe(true);
      const data = (page.messages as Event[]).map((message) => message.data as string);
      // In the order the room received them: the sender's order only where the shape keeps it.
      expect(shape.ordersPerSender ? data : [...data].sort()).toEqual(
        shape.ordersPerSender ? missed : [...missed].sort(),
      );
      const ids = (page.messages as Event[]).map((message) => message.id as string);
      expect([...ids].sort()).toEqual(ids);
      expect(new Set(ids).size).toBe(20);
    });

    it('says complete: false when retention has already dropped part of what a client missed', async () => {
      await start({ HISTORY_MAX_MESSAGES: '5' });
      const [reader, writer] = [await json(), await json()];
      await reader.join('busy');
      await writer.join('busy');
      writer.send({ action: 'sendMessage', room: 'busy', data: 'first' });
      const last = await reader.next(ofType('message'));
      for (let i = 0; i < 20; i++) writer.send({ action: 'sendMessage', room: 'busy', data: `m${i}` });
      const isBurst = (event: Event) => event.type === 'message' && /^m\d+$/.test(event.data as string);
      await eventually(() => reader.events().filter(isBurst).length === 20);
      const page = await reader.ask({ action: 'history', room: 'busy', after: last.id }, 'history');
      expect(page.complete).toBe(false);
      // The last five the room received: by id, which is the room's order on every shape.
      const byId = reader
        .events()
        .filter(isBurst)
        .sort((a, b) => ((a.id as string) < (b.id as string) ? -1 : 1));
      const lastFive = byId.slice(-5).map((message) => message.data);
      expect((page.messages as Event[]).map((message) => message.data)).toEqual(lastFive);
      if (shape.ordersPerSender) expect(lastFive).toEqual(['m15', 'm16', 'm17', 'm18', 'm19']);
    });

    it('keeps a seed client on the original protocol: global messages verbatim, no presence, no JSON', async () => {
      await start();
      const seed = await connect();
      const member = await json('member');
      await member.join('room');
      member.send({ action: 'sendMessage', data: 'to everyone' });
      member.send({ action: 'sendMessage', room: 'room', data: 'to the room' });
      await member.next((event) => event.type === 'message' && event.data === 'to the room');
      await eventually(() => seed.frames.includes('to everyone'));
      await delay(200);
      expect(seed.frames).toEqual(['to everyone']);
    });
  });
}
