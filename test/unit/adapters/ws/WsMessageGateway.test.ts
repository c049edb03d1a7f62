import { Duplex } from 'node:stream';
import { describe, expect, it } from 'vitest';
import type { WebSocket } from 'ws';
import { serverTextFrame } from '../../../../src/adapters/ws/serverTextFrame.js';
import { WsMessageGateway } from '../../../../src/adapters/ws/WsMessageGateway.js';
import { toConnectionId } from '../../../../src/domain/index.js';

/** A TCP stream that keeps every chunk written to it. */
class RecordingStream extends Duplex {
  readonly written: Buffer[] = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    this.written.push(chunk);
    done();
  }
  override _read(): void {}
}

/** An open `ws` socket with no extension: frames go straight to its stream. */
const openSocket = { readyState: 1, extensions: '' } as unknown as WebSocket;

function arrange(count: number) {
  const gateway = new WsMessageGateway({ maxBufferedBytes: 1024 * 1024 });
  const streams = Array.from({ length: count }, (_, i) => {
    const stream = new RecordingStream();
    gateway.attach(toConnectionId(`c${i}`), openSocket, stream);
    return stream;
  });
  return { gateway, streams };
}

describe('WsMessageGateway', () => {
  it('encodes each frame of a broadcast once when its text and json recipients alternate', () => {
    const { gateway, streams } = arrange(8);
    const text = 'hello';
    const json = JSON.stringify({ type: 'message', room: 'lobby', data: 'hello' });
    // The repository lists members in the order they joined: here, text and json in turn.
    streams.forEach((_, i) => {
      expect(gateway.post(toConnectionId(`c${i}`), i % 2 === 0 ? text : json)).toBe('delivered');
    });

    const written = streams.map((stream) => stream.written[0] as Buffer);
    const textFrames = new Set(written.filter((_, i) => i % 2 === 0));
    const jsonFrames = new Set(written.filter((_, i) => i % 2 === 1));
    expect(textFrames.size).toBe(1);
    expect(jsonFrames.size).toBe(1);
    expect([...textFrames][0]).toEqual(serverTextFrame(text));
    expect([...jsonFrames][0]).toEqual(serverTextFrame(json));
  });

  it('gives every recipient the frame it was posted, however many frames came before', () => {
    const { gateway, streams } = arrange(3);
    const frames = ['a', 'bb', 'a', 'ccc', 'bb', '', 'a'];
    frames.forEach((frame, i) => {
      gateway.post(toConnectionId(`c${i % 3}`), frame);
    });
    frames.forEach((frame, i) => {
      expect(streams[i % 3]?.written[Math.floor(i / 3)]).toEqual(serverTextFrame(frame));
    });
  });
});
