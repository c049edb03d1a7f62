import { afterEach, describe, expect, it } from 'vitest';
import { ChatClient, eventually } from '../../support/ChatClient.js';
import { startRecordingServer } from './wsHarness.js';

describe('WsMessageGateway', () => {
  let started: Awaited<ReturnType<typeof startRecordingServer>> | undefined;

  afterEach(async () => {
    await started?.server.close(100);
    started = undefined;
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
  });
});
