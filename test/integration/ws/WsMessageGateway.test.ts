import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { type WebSocket, WebSocketServer } from 'ws';
import { WsMessageGateway } from '../../../src/adapters/ws/index.js';
import { toConnectionId } from '../../../src/domain/index.js';
import { ChatClient, eventually } from '../../support/ChatClient.js';
import { RawWebSocket } from '../../support/RawWebSocket.js';
import { startRecordingServer } from './wsHarness.js';

describe('WsMessageGateway', () => {
  let started: Awaited<ReturnType<typeof startRecordingServer>> | undefined;
  let plain: WebSocketServer | undefined;

  afterEach(async () => {
    await started?.server.close(100);
    started = undefined;
    for (const socket of plain?.clients ?? []) socket.terminate();
    await new Promise<void>((resolve) => (plain === undefined ? resolve() : plain.close(() => resolve())));
    plain = undefined;
  });

  describe('post', () => {
    it('disconnects a client that stops reading, with 1008, while a reading client gets every frame', async () => {
      started = await startRecordingServer({ maxBufferedBytes: 256 * 1024 });
      const slow = await ChatClient.connect(started.url);
      const fast = await ChatClient.connect(started.url);
      await eventually(() => started?.events.opened.length === 2);
      const [slowId, fastId] = started.events.opened as [never, never];
      slow.socket.pause();
      const frame = 'y'.repeat(64 * 1024);
      const outcomes: string[] = [];
      for (let i = 0; i < 400 && !outcomes.includes('gone'); i++) {
        outcomes.push(await started.gateway.post(slowId, frame));
        await started.gateway.post(fastId, frame);
        await new Promise((resolve) => setImmediate(resolve));
      }
      expect(outcomes).toContain('gone');
      slow.socket.resume();
      const closed = await slow.closed;
      expect(closed).toEqual({ code: 1008, reason: 'Send buffer limit exceeded' });
      const sent = outcomes.length;
      expect(await fast.waitForFrames(sent)).toHaveLength(sent);
      fast.vanish();
    });

    it('disconnects a client that falls behind by many small frames long before their bytes add up', async () => {
      started = await startRecordingServer({ maxBufferedBytes: 64 * 1024 * 1024, maxBufferedFrames: 1000 });
      const slow = await RawWebSocket.connect(started.url);
      slow.stopReading();
      await eventually(() => started?.events.opened.length === 1);
      const [slowId] = started.events.opened as [never];
      // 18 MB of big frames first, more than the kernel holds for a connection (about 4 MB on
      // loopback), so the server holds some; then small frames.
      for (let posts = 0; posts < 300; posts++) {
        expect(started.gateway.post(slowId, 'b'.repeat(60_000))).toBe('delivered');
        if (posts % 20 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      let small = 0;
      while (small < 100_000 && started.gateway.post(slowId, '.') === 'delivered') small++;
      expect(small).toBeLessThanOrEqual(1000);
      slow.destroy();
    });

    it('holds frames while a client lags and delivers every one, in order, once it reads again', async () => {
      started = await startRecordingServer({ maxBufferedBytes: 64 * 1024 * 1024 });
      const lagging = await ChatClient.connect(started.url);
      await eventually(() => started?.events.opened.length === 1);
      const [id] = started.events.opened as [never];
      lagging.socket.pause();
      const frames = Array.from({ length: 300 }, (_, i) => `${i}:${'z'.repeat(30_000)}`);
      for (const frame of frames) expect(started.gateway.post(id, frame)).toBe('delivered');
      lagging.socket.resume();
      expect(await lagging.waitForFrames(frames.length)).toEqual(frames);
      lagging.vanish();
    });

    it('writes through ws, not around it, on a connection that negotiated per-message deflate', async () => {
      const sockets: WebSocket[] = [];
      plain = new WebSocketServer({ port: 0, host: '127.0.0.1', perMessageDeflate: { threshold: 0 } });
      const gateway = new WsMessageGateway({ maxBufferedBytes: 1024 * 1024 });
      plain.on('connection', (socket, request) => {
        gateway.attach(toConnectionId(`c${sockets.length}`), socket, request.socket);
        sockets.push(socket);
      });
      await new Promise((resolve) => plain?.once('listening', resolve));
      const { port } = plain.address() as AddressInfo;
      const deflating = await RawWebSocket.connect(`ws://127.0.0.1:${port}`, {
        'Sec-WebSocket-Extensions': 'permessage-deflate',
      });
      const bytes: Buffer[] = [];
      deflating.socket.on('data', (chunk: Buffer) => bytes.push(chunk));
      await eventually(() => sockets.length === 1);
      expect(sockets[0]?.extensions).toBe('permessage-deflate');

      expect(gateway.post(toConnectionId('c0'), 'hello hello hello hello')).toBe('delivered');
      await eventually(() => bytes.length > 0);
      // RSV1 set: the frame went through ws's compressor. A pre-encoded frame would read 0x81.
      expect(bytes[0]?.[0]).toBe(0xc1);
      deflating.destroy();
    });
  });
});
