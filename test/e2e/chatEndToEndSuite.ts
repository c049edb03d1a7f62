import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { ChatClient, delay, eventually } from '../support/ChatClient.js';
import type { RunningChat, RuntimeShape } from './RuntimeShape.js';

const INVALID_ACTION = 'Error: Invalid action type';
const INVALID_DATA = 'Error: sendMessage needs a "data" field holding a string';

/**
 * The chat's behaviour as a client sees it, written once and run against every runtime shape.
 */
export function chatEndToEndSuite(shape: RuntimeShape): void {
  describe(`chat end to end: ${shape.name}`, () => {
    let chat: RunningChat | undefined;
    const clients: ChatClient[] = [];

    const start = async (env: Record<string, string> = {}) => {
      chat = await shape.start(env);
      return chat;
    };
    /** Connects `count` clients, spread across the chat's entry points, `batch` at a time. */
    const connect = async (count: number, batch = 50): Promise<ChatClient[]> => {
      const urls = chat?.urls ?? [];
      const made: ChatClient[] = [];
      for (let i = 0; i < count; i += batch) {
        const size = Math.min(batch, count - i);
        const next = await Promise.all(
          Array.from({ length: size }, (_, j) =>
            ChatClient.connect(urls[(clients.length + i + j) % urls.length] as string),
          ),
        );
        made.push(...next);
      }
      clients.push(...made);
      return made;
    };
    /** Sends a marker after `sender`'s earlier frames: once `observers` see it, they saw all before it. */
    const sendMarker = async (sender: ChatClient, observers: ChatClient[]) => {
      const marker = `marker-${Math.random()}`;
      sender.sendMessage(marker);
      await Promise.all(observers.map((c) => c.waitForFrames(c.frames.indexOf(marker) + 1 || c.frames.length + 1)));
      return marker;
    };

    afterEach(async () => {
      for (const client of clients.splice(0)) client.vanish();
      await chat?.stop('SIGKILL');
      chat = undefined;
    });

    it('runs the original scenario: all three clients receive exactly "hello world"', async () => {
      await start();
      const [a, b, c] = (await connect(3)) as [ChatClient, ChatClient, ChatClient];
      a.send('{"action":"sendMessage","data":"hello world"}');
      for (const client of [a, b, c]) expect(await client.next()).toBe('hello world');
      await delay(200);
      for (const client of [a, b, c]) expect(client.frames).toEqual(['hello world']);
    });

    it('delivers data verbatim, whatever it looks like', async () => {
      await start();
      const [a, b] = (await connect(2)) as [ChatClient, ChatClient];
      const samples = [
        '',
        ' spaced ',
        'ünïcødé ✓ 🚀',
        '{"action":"sendMessage","data":"nested"}',
        'line\nbreak',
        // Within one frame of at most 32 KiB, as API Gateway requires.
        'x'.repeat(30_000),
      ];
      for (const data of samples) a.sendMessage(data);
      const received = await b.waitForFrames(samples.length);
      expect(shape.ordersPerSender ? received : [...received].sort()).toEqual(
        shape.ordersPerSender ? samples : [...samples].sort(),
      );
    });

    it.each([
      ['an unknown action', '{"action":"shout","data":"hi"}', INVALID_ACTION],
      ['a missing action', '{"data":"hi"}', INVALID_ACTION],
      ['text that is not JSON', 'hello world', INVALID_ACTION],
      ['a JSON value that is not an object', '["sendMessage","hi"]', INVALID_ACTION],
      ['sendMessage without data', '{"action":"sendMessage"}', INVALID_DATA],
      ['sendMessage with non-string data', '{"action":"sendMessage","data":{"text":"hi"}}', INVALID_DATA],
    ])('answers %s to its sender alone', async (_label, frame, reply) => {
      await start();
      const [sender, other] = (await connect(2)) as [ChatClient, ChatClient];
      sender.send(frame);
      expect(await sender.next()).toBe(reply);
      const marker = await sendMarker(sender, [sender, other]);
      expect(other.frames).toEqual([marker]);
      expect(sender.frames).toEqual([reply, marker]);
    });

    it('closes a connection that sends a binary frame with 1003 and leaves the others chatting', async () => {
      await start();
      const [sender, a, b] = (await connect(3)) as [ChatClient, ChatClient, ChatClient];
      sender.send(Buffer.from([0x7b, 0x00, 0xff]));
      expect((await sender.closed).code).toBe(1003);
      a.sendMessage('still here');
      expect(await b.next()).toBe('still here');
      expect(await a.next()).toBe('still here');
    });

    it('closes a connection that sends a frame over 32 KiB with 1009 and leaves the others chatting', async () => {
      await start();
      const [big, a, b] = (await connect(3)) as [ChatClient, ChatClient, ChatClient];
      big.sendMessage('x'.repeat(32 * 1024));
      expect((await big.closed).code).toBe(1009);
      a.sendMessage('still here');
      expect(await b.next()).toBe('still here');
      expect(await a.next()).toBe('still here');
    });

    it('delivers a message of 128 KiB sent in frames of 32 KiB', async () => {
      await start();
      const [sender, receiver] = (await connect(2)) as [ChatClient, ChatClient];
      const data = 'y'.repeat(128 * 1024 - 34);
      sender.sendFragmented(JSON.stringify({ action: 'sendMessage', data }), 32 * 1024);
      expect(await receiver.next()).toBe(data);
    });

    it('closes a connection that sends over 128 KiB with 1009 and leaves the others chatting', async () => {
      await start();
      const [big, a, b] = (await connect(3)) as [ChatClient, ChatClient, ChatClient];
      big.sendFragmented(JSON.stringify({ action: 'sendMessage', data: 'x'.repeat(128 * 1024) }), 32 * 1024);
      expect((await big.closed).code).toBe(1009);
      a.sendMessage('still here');
      expect(await b.next()).toBe('still here');
      expect(await a.next()).toBe('still here');
    });

    it('survives thousands of malformed frames in a row and keeps serving everyone else', async () => {
      // The rate limit would answer most of the flood with 'Too many messages': this is about the parser.
      await start({ RATE_LIMIT_PER_S: '0' });
      const [flooder, a, b] = (await connect(3)) as [ChatClient, ChatClient, ChatClient];
      const count = 3000;
      const junk = ['{', 'null', '[]', '{"action":1}', '{"action":"sendMessage","data":5}', '\u0000', '{"action":"x"}'];
      for (let i = 0; i < count; i++) flooder.send(junk[i % junk.length] as string);
      a.sendMessage('during the flood');
      expect(await b.next()).toBe('during the flood');
      const replies = await flooder.waitForFrames(count + 1, 60_000);
      expect(replies.filter((frame) => frame.startsWith('Error: '))).toHaveLength(count);
      expect(b.frames).toEqual(['during the flood']);
      flooder.sendMessage('flooder is fine');
      expect(await b.next()).toBe('flooder is fine');
    });

    const order = shape.ordersPerSender ? ', and per-sender order' : ' (API Gateway promises no order)';
    it(`delivers 100 messages to each of 500 clients with no loss, no duplicate${order}`, async () => {
      // 500 clients from one address: over the per-address cap that protects a real server.
      await start({ MAX_CONNECTIONS_PER_IP: '0' });
      const all = await connect(500);
      const senders = all.slice(0, 5);
      const perSender = 20;
      for (let seq = 0; seq < perSender; seq++) {
        for (const [s, sender] of senders.entries()) sender.sendMessage(`${s}:${seq}`);
      }
      const expected = senders.length * perSender;
      await Promise.all(all.map((client) => client.waitForFrames(expected, 60_000)));
      await delay(200);
      for (const client of all) {
        expect(client.frames).toHaveLength(expected);
        expect(new Set(client.frames).size).toBe(expected);
        for (let s = 0; s < senders.length; s++) {
          const fromSender = client.frames.filter((f) => f.startsWith(`${s}:`)).map((f) => Number(f.split(':')[1]));
          if (!shape.ordersPerSender) fromSender.sort((x, y) => x - y);
          expect(fromSender).toEqual(Array.from({ length: perSender }, (_, i) => i));
        }
      }
    });

    it('keeps delivering to everyone else when a client vanishes without closing', async () => {
      await start();
      const [gone, a, b] = (await connect(3)) as [ChatClient, ChatClient, ChatClient];
      gone.vanish();
      await delay(100);
      a.sendMessage('after the vanishing');
      expect(await a.next()).toBe('after the vanishing');
      expect(await b.next()).toBe('after the vanishing');
      a.sendMessage('and again');
      expect(await b.next()).toBe('and again');
    });

    it('closes an idle connection with 1001 and keeps an active one', async () => {
      await start({ IDLE_TIMEOUT_MS: '1500' });
      const [idle, active] = (await connect(2)) as [ChatClient, ChatClient];
      const activity = setInterval(() => active.send('{"action":"ping"}'), 300);
      try {
        expect((await idle.closed).code).toBe(1001);
        active.sendMessage('alive');
        await eventually(() => active.frames.includes('alive'));
        expect(active.socket.readyState).toBe(WebSocket.OPEN);
      } finally {
        clearInterval(activity);
      }
    });

    it('closes a connection with 1001 once it reaches the maximum age, active or not', async () => {
      await start({ MAX_CONNECTION_AGE_MS: '1500' });
      const [client] = (await connect(1)) as [ChatClient];
      const activity = setInterval(() => client.sendMessage('busy'), 200);
      try {
        expect((await client.closed).code).toBe(1001);
      } finally {
        clearInterval(activity);
      }
    });

    it('closes every client with 1001 on SIGTERM and exits 0', async () => {
      const running = await start();
      const connected = await connect(6);
      const codes = await running.stop('SIGTERM');
      chat = undefined;
      expect(codes.every((code) => code === 0)).toBe(true);
      for (const client of connected) expect((await client.closed).code).toBe(1001);
    });
  });
}
