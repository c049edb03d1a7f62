import { request } from 'node:http';
import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { AuthorizeConnection } from '../../../src/application/index.js';
import { InvalidTokenError } from '../../../src/domain/index.js';
import { createConnectionHandler } from '../../../src/entrypoints/server/createConnectionHandler.js';
import { ChatClient, delay, eventually } from '../../support/ChatClient.js';
import { buildCore } from '../../support/core.js';
import { clientFrame, Opcode, RawWebSocket } from '../../support/RawWebSocket.js';
import { startRecordingServer } from './wsHarness.js';

type Started = Awaited<ReturnType<typeof startRecordingServer>>;

describe('WsChatServer', () => {
  let started: Started | undefined;
  const sockets: WebSocket[] = [];

  afterEach(async () => {
    for (const socket of sockets.splice(0)) socket.terminate();
    await started?.server.close(100);
    started = undefined;
  });

  describe('heartbeat', () => {
    it('terminates a peer that stops answering pings and runs leave for it', async () => {
      started = await startRecordingServer({ heartbeatIntervalMs: 50 });
      const dead = new WebSocket(started.url, { autoPong: false });
      sockets.push(dead);
      const closed = new Promise<number>((resolve) => dead.once('close', (code) => resolve(code)));
      await eventually(() => started?.events.opened.length === 1);
      const alive = await ChatClient.connect(started.url);
      expect(await closed).toBe(1006);
      await eventually(() => started?.events.closed.length === 1);
      expect(started.events.closed).toEqual([started.events.opened[0]]);
      await delay(200);
      expect(alive.socket.readyState).toBe(WebSocket.OPEN);
      alive.vanish();
    });
  });

  describe('frames of one client', () => {
    it('are handled one at a time, in arrival order', async () => {
      let inFlight = 0;
      let peak = 0;
      started = await startRecordingServer({
        received: async () => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await delay(2);
          inFlight--;
        },
      });
      const client = await ChatClient.connect(started.url);
      for (let i = 0; i < 30; i++) client.send(`f${i}`);
      await eventually(() => started?.events.received.length === 30);
      expect(peak).toBe(1);
      expect(started.events.received).toEqual(Array.from({ length: 30 }, (_, i) => `f${i}`));
      client.vanish();
    });

    it('stop being read while the queue is full, so a flood cannot grow memory', async () => {
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      started = await startRecordingServer({ maxQueuedFramesPerClient: 4, received: () => gate });
      const client = await ChatClient.connect(started.url);
      for (let i = 0; i < 200; i++) client.send('x'.repeat(1024));
      await delay(300);
      // The first frame is stuck in the handler; only a bounded number reached the queue.
      expect(started.events.received.length).toBe(1);
      release();
      await eventually(() => started?.events.received.length === 200, 10_000);
      client.vanish();
    });
  });

  describe('limits', () => {
    it('closes with 1003 a binary frame, which the handler never hears of', async () => {
      started = await startRecordingServer({});
      const client = await ChatClient.connect(started.url);
      client.send(Buffer.from([0x7b, 0x00, 0xff]));
      expect(await client.closed).toEqual({ code: 1003, reason: 'Binary frames are not supported' });
      await eventually(() => started?.events.closed.length === 1);
      expect(started.events.received).toEqual([]);
    });

    it('closes with 1009 a frame over 32 KiB, though the message is within its limit', async () => {
      started = await startRecordingServer({});
      const client = await ChatClient.connect(started.url);
      client.send('x'.repeat(32 * 1024 + 1));
      expect(await client.closed).toEqual({ code: 1009, reason: 'Frame too big' });
      expect(started.events.received).toEqual([]);
    });

    it('accepts a message of exactly 128 KiB in frames of exactly 32 KiB', async () => {
      started = await startRecordingServer({});
      const client = await ChatClient.connect(started.url);
      client.sendFragmented('x'.repeat(128 * 1024), 32 * 1024);
      await eventually(() => started?.events.received.length === 1);
      expect(started.events.received[0]).toHaveLength(128 * 1024);
      client.vanish();
    });

    it('closes with 1009 a message over 128 KiB, though each frame is within its limit', async () => {
      started = await startRecordingServer({});
      const client = await ChatClient.connect(started.url);
      client.sendFragmented('x'.repeat(128 * 1024 + 1), 32 * 1024);
      expect((await client.closed).code).toBe(1009);
      expect(started.events.received).toEqual([]);
    });

    it('closes with 1008 a message in more frames than allowed', async () => {
      started = await startRecordingServer({ maxFramesPerMessage: 4 });
      const client = await ChatClient.connect(started.url);
      client.sendFragmented('abcd', 1);
      client.sendFragmented('abcde', 1);
      expect((await client.closed).code).toBe(1008);
      expect(started.events.received).toEqual(['abcd']);
    });

    it.each([
      [
        'a fragment',
        Buffer.concat([clientFrame(Opcode.text, 'a', false), clientFrame(Opcode.continuation, 'b', false)]),
      ],
      ['the payload of a frame', clientFrame(Opcode.text, 'z'.repeat(1000)).subarray(0, 100)],
    ])('closes with 1008 a message that stays incomplete past the timeout, waiting for %s', async (_label, bytes) => {
      started = await startRecordingServer({ incompleteMessageTimeoutMs: 200 });
      const raw = await RawWebSocket.connect(started.url);
      await raw.write(bytes);
      expect(await raw.closed).toBe(1008);
    });

    it('lets a message take its time in frames that each arrive in time', async () => {
      started = await startRecordingServer({ incompleteMessageTimeoutMs: 300 });
      const raw = await RawWebSocket.connect(started.url);
      await raw.write(clientFrame(Opcode.text, 'slow ', false));
      await delay(150);
      await raw.write(clientFrame(Opcode.continuation, 'but '));
      await delay(200);
      await raw.write(clientFrame(Opcode.text, 'steady'));
      await eventually(() => started?.events.received.length === 2);
      expect(started.events.received).toEqual(['slow but ', 'steady']);
      expect(raw.isEnded).toBe(false);
      raw.destroy();
    });

    it('does not count against a message the time the server itself stopped reading', async () => {
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      started = await startRecordingServer({
        incompleteMessageTimeoutMs: 200,
        maxQueuedFramesPerClient: 2,
        received: () => gate,
      });
      const raw = await RawWebSocket.connect(started.url);
      const last = clientFrame(Opcode.text, 'last');
      // Complete messages that fill the queue (so the server stops reading), then half a message.
      const complete = Array.from({ length: 10 }, (_, i) => clientFrame(Opcode.text, `m${i}`));
      await raw.write(Buffer.concat([...complete, last.subarray(0, 5)]));
      await raw.write(last.subarray(5));
      await delay(600);
      release();
      await eventually(() => started?.events.received.length === 11);
      expect(started.events.received.at(-1)).toBe('last');
      expect(raw.closeCode).toBeUndefined();
      raw.destroy();
    });

    it('handles the messages sent before a broken limit in the same write, and none after it', async () => {
      started = await startRecordingServer({});
      const raw = await RawWebSocket.connect(started.url);
      const before = [
        clientFrame(Opcode.text, 'a'),
        clientFrame(Opcode.text, 'b', false),
        clientFrame(Opcode.continuation, 'c'),
      ];
      await raw.write(Buffer.concat([...before, clientFrame(Opcode.binary, 'd'), clientFrame(Opcode.text, 'e')]));
      expect(await raw.closed).toBe(1003);
      await eventually(() => started?.events.closed.length === 1);
      expect(started.events.received).toEqual(['a', 'bc']);
    });

    it('never negotiates per-message deflate, even when a client offers it', async () => {
      started = await startRecordingServer({});
      const raw = await RawWebSocket.connect(started.url, { 'Sec-WebSocket-Extensions': 'permessage-deflate' });
      expect(raw.response.toLowerCase()).not.toContain('sec-websocket-extensions');
      raw.destroy();
    });
  });

  describe('fairness', () => {
    it("handles another client's message while one client's backlog from a single write is still being handled", async () => {
      const order: string[] = [];
      started = await startRecordingServer({ received: async (_id, text) => void order.push(text) });
      const flooder = await RawWebSocket.connect(started.url);
      const other = await ChatClient.connect(started.url);
      await eventually(() => started?.events.opened.length === 2);
      await flooder.write(Buffer.concat(Array.from({ length: 500 }, (_, i) => clientFrame(Opcode.text, `flood ${i}`))));
      other.send('other');
      await eventually(() => order.length === 501);
      // Handled as the whole backlog would be, one message per turn each: well before its end.
      expect(order.indexOf('other')).toBeLessThan(100);
      flooder.destroy();
      other.vanish();
    });
  });

  describe('errors', () => {
    it('reports client errors at a bounded rate', async () => {
      const reported: unknown[] = [];
      started = await startRecordingServer({ onError: (error) => reported.push(error) });
      const clients = await Promise.all(Array.from({ length: 30 }, () => RawWebSocket.connect(started?.url as string)));
      await Promise.all(clients.map((raw) => raw.write(clientFrame(Opcode.text, Buffer.from([0xff, 0xfe])))));
      await Promise.all(clients.map((raw) => raw.closed));
      await delay(100);
      expect(reported).toHaveLength(10);
    });
  });

  describe('close', () => {
    it('closes every client with 1001 and reports each as closed', async () => {
      started = await startRecordingServer({});
      const clients = await Promise.all([1, 2, 3].map(() => ChatClient.connect(started?.url as string)));
      await eventually(() => started?.events.opened.length === 3);
      await started.server.close();
      for (const client of clients) expect((await client.closed).code).toBe(1001);
      expect([...started.events.closed].sort()).toEqual([...started.events.opened].sort());
      started = undefined;
    });
  });

  describe('close, with stragglers', () => {
    it('does not wait for a TCP connection that never upgraded', async () => {
      started = await startRecordingServer({});
      const { port } = new URL(started.url);
      const idle = connect(Number(port), '127.0.0.1');
      await new Promise((resolve) => idle.once('connect', resolve));
      const outcome = await Promise.race([
        started.server.close(100).then(() => 'closed'),
        delay(3000).then(() => 'hung'),
      ]);
      idle.destroy();
      expect(outcome).toBe('closed');
      started = undefined;
    });

    it('handles no more messages once it is closing, and still runs every leave', async () => {
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      started = await startRecordingServer({ received: () => gate });
      const client = await ChatClient.connect(started.url);
      for (let i = 0; i < 5; i++) client.send(`m${i}`);
      await eventually(() => started?.events.received.length === 1);
      const closing = started.server.close(100);
      release();
      await closing;
      expect(started.events.received).toEqual(['m0']);
      expect(started.events.closed).toHaveLength(1);
      started = undefined;
    });

    it('resolves only once the handler has been told of every close', async () => {
      started = await startRecordingServer({ closed: () => delay(150) });
      await Promise.all([1, 2].map(() => ChatClient.connect(started?.url as string)));
      await eventually(() => started?.events.opened.length === 2);
      await started.server.close();
      expect(started.events.closed).toHaveLength(2);
      started = undefined;
    });
  });

  describe('a client it cut', () => {
    it('has nothing more it sent handled, already queued or still arriving', async () => {
      let gateway: Started['gateway'] | undefined;
      // The first message breaks a rule: the gateway disconnects its sender, as the rate limit does.
      started = await startRecordingServer({ received: async (id) => gateway?.disconnect(id) });
      gateway = started.gateway;
      const raw = await RawWebSocket.connect(started.url);
      const frame = clientFrame(Opcode.text, '{"action":"sendMessage","data":"x"}');
      await raw.write(Buffer.concat(Array.from({ length: 500 }, () => frame)));
      for (let i = 0; i < 20 && !raw.isEnded; i++)
        await raw.write(Buffer.concat(Array.from({ length: 100 }, () => frame)));
      await raw.closed;
      await eventually(() => started?.events.closed.length === 1);
      expect(raw.closeCode).toBe(1008);
      expect(started.events.received).toHaveLength(1);
      raw.destroy();
    });
  });

  describe('connection caps', () => {
    const from = (forwardedFor: string) => ({ 'X-Forwarded-For': forwardedFor });

    it('counts a client behind a trusted proxy by the address the proxy appended, whatever it claims before it', async () => {
      started = await startRecordingServer({ maxConnectionsPerIp: 2, trustProxy: true });
      const url = started.url;
      await ChatClient.connect(url, 10_000, from('1.1.1.1, 203.0.113.7'));
      await ChatClient.connect(url, 10_000, from('2.2.2.2, 203.0.113.7'));
      await expect(ChatClient.connect(url, 10_000, from('3.3.3.3, 203.0.113.7'))).rejects.toThrow(/429/);
      // Another client behind the same proxy is counted apart.
      await expect(ChatClient.connect(url, 10_000, from('203.0.113.8'))).resolves.toBeInstanceOf(ChatClient);
    });

    it('ignores X-Forwarded-For unless the proxy is trusted', async () => {
      started = await startRecordingServer({ maxConnectionsPerIp: 2 });
      const url = started.url;
      await ChatClient.connect(url, 10_000, from('198.51.100.1'));
      await ChatClient.connect(url, 10_000, from('198.51.100.2'));
      await expect(ChatClient.connect(url, 10_000, from('198.51.100.3'))).rejects.toThrow(/429/);
    });

    it('refuses past the node cap with 503 before accepting the socket', async () => {
      started = await startRecordingServer({ maxConnections: 1 });
      await ChatClient.connect(started.url);
      await expect(ChatClient.connect(started.url)).rejects.toThrow(/503/);
      expect(started.events.opened).toHaveLength(1);
    });
  });

  describe('an upgrade refused', () => {
    /** The server's admission, with tokens required, one origin allowed and every token refused. */
    function admission(fail?: Error) {
      const core = buildCore();
      const authorize = new AuthorizeConnection(
        { mode: 'required', allowedOrigins: ['https://chat.example'] },
        {
          verify: async () => {
            throw fail ?? new InvalidTokenError('signature');
          },
        },
      );
      return createConnectionHandler({ authorize, join: core.join, leave: core.leave, router: core.router }).admit;
    }

    it.each([
      ['no token', 401, '/', {}],
      ['a bad token', 401, '/?token=forged', {}],
      ['an origin not allowed', 403, '/?token=forged', { Origin: 'https://evil.example' }],
    ] as const)('answers %s with %i, a one-line plain-text reason and no stack', async (_, status, path, headers) => {
      started = await startRecordingServer({ admit: admission() });
      const answer = await rawUpgrade(started.url, path, headers);
      expectPlainRefusal(answer, status);
      expect(started.events.opened).toEqual([]);
    });

    it('answers an admission that throws with 500, and neither its message nor its stack', async () => {
      const fail = new Error('secret detail at /srv/app.js:12');
      started = await startRecordingServer({ admit: admission(fail), onError: () => {} });
      const answer = await rawUpgrade(started.url, '/?token=any', {});
      expectPlainRefusal(answer, 500);
      expect(answer.body).not.toContain('secret');
    });

    it('answers the per-address cap with 429 and the node cap with 503, in plain text', async () => {
      started = await startRecordingServer({ maxConnectionsPerIp: 1 });
      await ChatClient.connect(started.url);
      expectPlainRefusal(await rawUpgrade(started.url, '/', {}), 429);
      await started.server.close(100);
      started = await startRecordingServer({ maxConnections: 1 });
      await ChatClient.connect(started.url);
      expectPlainRefusal(await rawUpgrade(started.url, '/', {}), 503);
    });
  });

  describe('plain HTTP', () => {
    it('answers /health with 200 and anything else with 426', async () => {
      started = await startRecordingServer({});
      const get = (path: string) =>
        new Promise<number>((resolve, reject) =>
          request(`${started?.url.replace('ws', 'http')}${path}`, (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          })
            .on('error', reject)
            .end(),
        );
      expect(await get('/health')).toBe(200);
      expect(await get('/')).toBe(426);
    });
  });
});

interface RawAnswer {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** Sends a WebSocket upgrade by hand and reads the whole answer, up to the server closing. */
function rawUpgrade(url: string, path: string, headers: Record<string, string>): Promise<RawAnswer> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname);
    const chunks: Buffer[] = [];
    socket.on('data', (chunk) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const [head = '', body = ''] = text.split('\r\n\r\n', 2);
      const [statusLine = '', ...lines] = head.split('\r\n');
      const entries = lines.map((line) => {
        const colon = line.indexOf(':');
        return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()] as const;
      });
      resolve({ status: Number(statusLine.split(' ')[1]), headers: Object.fromEntries(entries), body });
      socket.destroy();
    });
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(
      `GET ${path} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
        `Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n${extra.join('')}\r\n`,
    );
  });
}

function expectPlainRefusal(answer: RawAnswer, status: number): void {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toMatch(/^text\/plain\b/);
  expect(answer.headers.upgrade).toBeUndefined();
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  // One short line: the reason, with no stack frame and nothing of the request.
  expect(answer.body).toMatch(/^[^\n]{1,80}\n$/);
  expect(answer.body).not.toMatch(/\bat |Error|\.[jt]s\b/);
}
