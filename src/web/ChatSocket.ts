/** What the page learns from its connection. */
export interface ChatSocketListener {
  opened(): void;
  received(text: string): void;
  closed(retryInMs: number): void;
}

const FIRST_RETRY_MS = 500;
const LAST_RETRY_MS = 30_000;

/**
 * A WebSocket that comes back: after a drop it reconnects with exponential backoff and jitter
 * (so a restarted server is not hit by every page at once), and starts afresh once a connection
 * has stayed up.
 */
export class ChatSocket {
  private socket: WebSocket | undefined;
  private attempt = 0;
  private timer: number | undefined;

  constructor(
    private readonly url: () => string,
    private readonly listener: ChatSocketListener,
  ) {}

  open(): void {
    window.clearTimeout(this.timer);
    const socket = new WebSocket(this.url());
    this.socket = socket;
    socket.addEventListener('open', () => {
      this.attempt = 0;
      this.listener.opened();
    });
    socket.addEventListener('message', (event) => {
      if (typeof event.data === 'string') this.listener.received(event.data);
    });
    socket.addEventListener('close', () => {
      if (this.socket !== socket) return;
      const ceiling = Math.min(LAST_RETRY_MS, FIRST_RETRY_MS * 2 ** this.attempt++);
      const wait = Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
      this.listener.closed(wait);
      this.timer = window.setTimeout(() => this.open(), wait);
    });
  }

  /** Sends `frame` as JSON; false when the connection is not open (the caller keeps it or drops it). */
  send(frame: Record<string, unknown>): boolean {
    if (this.socket?.readyState !== WebSocket.OPEN) return false;
    this.socket.send(JSON.stringify(frame));
    return true;
  }
}
