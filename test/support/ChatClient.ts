import { WebSocket } from 'ws';

export interface CloseEvent {
  readonly code: number;
  readonly reason: string;
}

/** A real WebSocket client that records every text frame it receives, for assertions. */
export class ChatClient {
  readonly frames: string[] = [];
  readonly closed: Promise<CloseEvent>;
  private waiters: Array<() => void> = [];

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data, isBinary) => {
      this.frames.push(isBinary ? `<binary ${String((data as Buffer).length)}>` : data.toString());
      this.notify();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', (code, reason) => {
        this.notify();
        resolve({ code, reason: reason.toString() });
      }),
    );
  }

  /** Connects to `url`; rejects if the upgrade fails or takes longer than `timeoutMs`. */
  static connect(url: string, timeoutMs = 10_000, headers: Record<string, string> = {}): Promise<ChatClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, { perMessageDeflate: false, headers });
      const timer = setTimeout(() => {
        socket.terminate();
        reject(new Error(`connect to ${url} timed out`));
      }, timeoutMs);
      socket.once('open', () => {
        clearTimeout(timer);
        resolve(new ChatClient(socket));
      });
      socket.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
    });
  }

  send(data: string | Buffer): void {
    this.socket.send(data, { binary: typeof data !== 'string' });
  }

  sendMessage(data: unknown): void {
    this.send(JSON.stringify({ action: 'sendMessage', data }));
  }

  /** Sends `text` as one text message in frames of at most `frameBytes` bytes of payload each. */
  sendFragmented(text: string, frameBytes: number): void {
    const bytes = Buffer.from(text);
    for (let offset = 0; offset < bytes.length; offset += frameBytes) {
      const fin = offset + frameBytes >= bytes.length;
      this.socket.send(bytes.subarray(offset, offset + frameBytes), { binary: false, fin });
    }
  }

  /** Resolves once at least `count` frames arrived; rejects after `timeoutMs` with what did. */
  async waitForFrames(count: number, timeoutMs = 10_000): Promise<string[]> {
    const deadline = Date.now() + timeoutMs;
    while (this.frames.length < count) {
      const left = deadline - Date.now();
      if (left <= 0 || this.socket.readyState === WebSocket.CLOSED) {
        throw new Error(
          `expected ${count} frames, got ${this.frames.length}: ${JSON.stringify(this.frames.slice(-5))}`,
        );
      }
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return this.frames.slice(0, count);
  }

  /** The next frame after those already seen by `waitForFrames`/`next`. */
  async next(timeoutMs = 10_000): Promise<string> {
    const frames = await this.waitForFrames(this.consumed + 1, timeoutMs);
    this.consumed++;
    return frames[frames.length - 1] as string;
  }

  private consumed = 0;

  close(code = 1000): Promise<CloseEvent> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code);
    else if (this.socket.readyState !== WebSocket.CLOSED) this.socket.terminate();
    return this.closed;
  }

  /** Drops the TCP connection without a close handshake, as a vanished client would. */
  vanish(): void {
    this.socket.terminate();
  }

  private notify(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const wake of waiters) wake();
  }
}

export const delay = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** Polls `condition` until it holds or `timeoutMs` passes. */
export async function eventually(
  condition: () => boolean | Promise<boolean>,
  timeoutMs = 5000,
  stepMs = 20,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await delay(stepMs);
  }
}
