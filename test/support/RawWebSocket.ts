import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';

/** WebSocket opcodes (RFC 6455, section 5.2). */
export const Opcode = { continuation: 0x0, text: 0x1, binary: 0x2, close: 0x8, ping: 0x9, pong: 0xa } as const;

/**
 * One client frame as RFC 6455 asks of clients: masked. The key is all zeroes (valid, and it
 * leaves the payload as written), so floods of frames can be built once and written many times.
 */
export function clientFrame(opcode: number, payload: Buffer | string = '', fin = true): Buffer {
  const data = typeof payload === 'string' ? Buffer.from(payload) : payload;
  const length = data.length;
  const lengthBytes = length < 126 ? 0 : length < 0x10000 ? 2 : 8;
  const frame = Buffer.alloc(2 + lengthBytes + 4 + length);
  frame[0] = (fin ? 0x80 : 0) | opcode;
  if (lengthBytes === 0) frame[1] = 0x80 | length;
  else if (lengthBytes === 2) {
    frame[1] = 0x80 | 126;
    frame.writeUInt16BE(length, 2);
  } else {
    frame[1] = 0x80 | 127;
    frame.writeBigUInt64BE(BigInt(length), 2);
  }
  data.copy(frame, 2 + lengthBytes + 4);
  return frame;
}

/** A `sendMessage` frame carrying `data`. */
export const sendMessageFrame = (data: string): Buffer =>
  clientFrame(Opcode.text, JSON.stringify({ action: 'sendMessage', data }));

/**
 * A WebSocket client on a bare TCP socket: the upgrade is written by hand and frames are
 * whatever the test builds, so it can do what no well-behaved client library would.
 */
export class RawWebSocket {
  /** Bytes received after the upgrade. */
  received = 0;
  /** The close code the server sent, once its close frame arrived. */
  closeCode: number | undefined;
  /** Resolves when the TCP connection ends, however it ends. */
  readonly ended: Promise<void>;
  /** Resolves with the server's close code once its close frame arrives, or undefined if the connection ends without one. */
  readonly closed: Promise<number | undefined>;
  private parser = new ServerFrameParser();
  private sawClose: (code: number | undefined) => void = () => {};

  private constructor(
    readonly socket: Socket,
    /** The server's answer to the upgrade: status line and headers. */
    readonly response: string,
    head: Buffer,
  ) {
    this.ended = new Promise((resolve) => socket.once('close', () => resolve()));
    this.closed = new Promise((resolve) => {
      this.sawClose = resolve;
    });
    void this.ended.then(() => this.sawClose(this.closeCode));
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    if (head.length > 0) this.onData(head);
    // The upgrade paused the socket; reading starts here.
    socket.resume();
  }

  /**
   * Opens a TCP connection to `url` (from `localAddress`, another loopback address for a second
   * "client machine", when given) and upgrades it; rejects unless the answer is 101.
   */
  static async connect(
    url: string,
    headers: Record<string, string> = {},
    localAddress?: string,
  ): Promise<RawWebSocket> {
    const { hostname, port, pathname, search } = new URL(url);
    const socket = connect({
      host: hostname,
      port: Number(port),
      ...(localAddress === undefined ? {} : { localAddress }),
    });
    socket.on('error', () => {});
    const extra = Object.entries(headers).map(([name, value]) => `${name}: ${value}\r\n`);
    socket.write(
      `GET ${pathname}${search} HTTP/1.1\r\nHost: ${hostname}:${port}\r\nUpgrade: websocket\r\n` +
        `Connection: Upgrade\r\nSec-WebSocket-Key: ${randomBytes(16).toString('base64')}\r\n` +
        `Sec-WebSocket-Version: 13\r\n${extra.join('')}\r\n`,
    );
    const { response, head } = await readResponse(socket);
    if (!response.startsWith('HTTP/1.1 101')) {
      socket.destroy();
      throw new Error(`upgrade refused: ${response.split('\r\n')[0]}`);
    }
    return new RawWebSocket(socket, response, head);
  }

  /** Writes `data` as it is; resolves once the socket has taken it (TCP backpressure included). */
  write(data: Buffer): Promise<void> {
    return new Promise((resolve) => {
      if (this.socket.destroyed) return resolve();
      if (this.socket.write(data)) resolve();
      else {
        const done = () => {
          this.socket.off('close', done);
          this.socket.off('drain', done);
          resolve();
        };
        this.socket.once('drain', done).once('close', done);
      }
    });
  }

  /** Stops reading: the server's frames pile up in the kernel, then in the server. */
  stopReading(): void {
    this.socket.pause();
  }

  destroy(): void {
    this.socket.destroy();
  }

  /** True once the server has closed or cut the connection. */
  get isEnded(): boolean {
    return this.socket.destroyed || this.socket.readableEnded;
  }

  private onData(chunk: Buffer): void {
    this.received += chunk.length;
    if (this.closeCode !== undefined) return;
    this.closeCode = this.parser.closeCodeIn(chunk);
    if (this.closeCode !== undefined) this.sawClose(this.closeCode);
  }
}

/** Reads an HTTP response head; resolves with it and any bytes that followed. */
function readResponse(socket: Socket): Promise<{ response: string; head: Buffer }> {
  return new Promise((resolve, reject) => {
    let buffered = Buffer.alloc(0);
    const onData = (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      const end = buffered.indexOf('\r\n\r\n');
      if (end < 0) return;
      socket.off('data', onData).off('close', onClose);
      socket.pause();
      resolve({ response: buffered.subarray(0, end).toString(), head: buffered.subarray(end + 4) });
    };
    const onClose = () => reject(new Error('connection closed during the upgrade'));
    socket.on('data', onData).once('close', onClose);
  });
}

/**
 * Walks the server's (unmasked) frames only as far as needed to find a close frame: payloads
 * are skipped, so a receiver flooded with frames costs the test next to nothing.
 */
class ServerFrameParser {
  private pending = Buffer.alloc(0);
  private skip = 0;

  closeCodeIn(chunk: Buffer): number | undefined {
    const skipped = Math.min(this.skip, chunk.length);
    this.skip -= skipped;
    const rest = chunk.subarray(skipped);
    const data = this.pending.length === 0 ? rest : Buffer.concat([this.pending, rest]);
    let offset = 0;
    for (;;) {
      const header = headerOf(data, offset);
      if (header === undefined) break;
      if (header.opcode === Opcode.close) {
        if (header.length === 0) return 1005;
        if (data.length - offset < header.size + 2) break;
        return data.readUInt16BE(offset + header.size);
      }
      const available = data.length - offset - header.size;
      if (available < header.length) {
        this.skip = header.length - available;
        offset = data.length;
        break;
      }
      offset += header.size + header.length;
    }
    this.pending = Buffer.from(data.subarray(offset));
    return undefined;
  }
}

/** The header of the unmasked frame at `offset`, or undefined while it is incomplete. */
function headerOf(data: Buffer, offset: number): { opcode: number; length: number; size: number } | undefined {
  if (data.length - offset < 2) return undefined;
  const opcode = (data[offset] as number) & 0x0f;
  const short = (data[offset + 1] as number) & 0x7f;
  if (short < 126) return { opcode, length: short, size: 2 };
  if (short === 126) {
    return data.length - offset < 4 ? undefined : { opcode, length: data.readUInt16BE(offset + 2), size: 4 };
  }
  return data.length - offset < 10 ? undefined : { opcode, length: Number(data.readBigUInt64BE(offset + 2)), size: 10 };
}
