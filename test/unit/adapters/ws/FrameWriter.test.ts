import { Writable } from 'node:stream';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { WebSocket } from 'ws';
import { FrameWriter } from '../../../../src/adapters/ws/FrameWriter.js';
import { serverTextFrame } from '../../../../src/adapters/ws/serverTextFrame.js';

/** A TCP stream whose peer reads only when told to: writes complete on `release`. */
class LaggingStream extends Writable {
  readonly written: Buffer[] = [];
  private waiting: Array<() => void> = [];
  constructor(highWaterMark = 64) {
    super({ highWaterMark });
  }
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    this.waiting.push(done);
  }
  /** The peer reads everything written so far. */
  release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const done of waiting) done();
  }
  text(): string {
    return Buffer.concat(this.written).toString('latin1');
  }
}

/** The parts of a `ws` socket the writer uses. */
class FakeSocket {
  readyState: number = 1;
  extensions = '';
  readonly closes: Array<[number, string]> = [];
  readonly sent: unknown[] = [];
  terminated = false;
  close(code: number, reason: string): void {
    this.readyState = 2;
    this.closes.push([code, reason]);
  }
  terminate(): void {
    this.terminated = true;
  }
  send(data: unknown): void {
    this.sent.push(data);
  }
}

const LIMITS = { maxBufferedBytes: 10_000, maxBufferedFrames: 5, slowClientGraceMs: 1000 };
const frame = (text: string) => [text, serverTextFrame(text)] as const;
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

function arrange(limits = LIMITS) {
  const socket = new FakeSocket();
  const stream = new LaggingStream();
  const writer = new FrameWriter(socket as unknown as WebSocket, stream, limits);
  return { socket, stream, writer };
}

describe('FrameWriter', () => {
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('write', () => {
    it('writes each frame whole, straight to the stream, while the stream takes them', () => {
      const { stream, writer } = arrange();
      expect(writer.write(...frame('hello'))).toBe(true);
      expect(stream.written).toEqual([serverTextFrame('hello')]);
    });

    it('holds frames once the stream pushes back and writes them as one buffer, in order, when it drains', async () => {
      const { stream, writer } = arrange();
      writer.write(...frame('x'.repeat(100)));
      for (const text of ['a', 'b', 'c']) expect(writer.write(...frame(text))).toBe(true);
      expect(stream.written).toHaveLength(1);
      stream.release();
      await settle();
      expect(stream.written).toHaveLength(2);
      expect(stream.written[1]).toEqual(Buffer.concat(['a', 'b', 'c'].map((text) => serverTextFrame(text))));
    });

    it('disconnects with 1008 a client whose held frames pass the limit, however small they are', () => {
      vi.useFakeTimers({ toFake: ['setTimeout'] });
      const { socket, stream, writer } = arrange();
      writer.write(...frame('x'.repeat(100)));
      const answers = Array.from({ length: 7 }, () => writer.write(...frame('.')));
      expect(answers).toEqual([true, true, true, true, true, false, false]);
      expect(socket.closes).toEqual([[1008, 'Send buffer limit exceeded']]);
      expect(stream.written).toHaveLength(1);
      vi.advanceTimersByTime(LIMITS.slowClientGraceMs);
      expect(socket.terminated).toBe(true);
    });

    it('disconnects a client whose waiting bytes pass the limit', () => {
      const { socket, writer } = arrange({ ...LIMITS, maxBufferedFrames: 1000 });
      writer.write(...frame('x'.repeat(100)));
      expect(writer.write(...frame('y'.repeat(6000)))).toBe(true);
      expect(writer.write(...frame('z'.repeat(6000)))).toBe(false);
      expect(socket.closes).toEqual([[1008, 'Send buffer limit exceeded']]);
    });

    it('writes nothing after the socket starts closing: its close frame must come last', async () => {
      const { socket, stream, writer } = arrange();
      writer.write(...frame('x'.repeat(100)));
      writer.write(...frame('held'));
      socket.close(1001, 'Server shutting down');
      stream.release();
      await settle();
      expect(stream.text()).not.toContain('held');
      expect(writer.write(...frame('later'))).toBe(false);
    });

    it('goes through the socket, not around it, where an extension was negotiated', () => {
      const socket = new FakeSocket();
      socket.extensions = 'permessage-deflate';
      const stream = new LaggingStream();
      const writer = new FrameWriter(socket as unknown as WebSocket, stream, LIMITS);
      writer.write(...frame('hello'));
      expect(socket.sent).toEqual(['hello']);
      expect(stream.written).toEqual([]);
    });
  });
});
