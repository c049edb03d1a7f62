/** What a queue stops reading from while it is full: the socket whose frames fill it. */
export interface FrameSource {
  pause(): void;
  resume(): void;
}

/**
 * Runs one client's work in arrival order, one item at a time, and lets the event loop turn
 * between two items: a client with a backlog (a whole TCP chunk of messages, say) gets one item
 * handled per turn, like every other client, so it cannot hold up the others or the timers.
 * When too many items wait, the source stops being read (TCP pushes back on the client) until
 * the queue drains, so a flooding client cannot grow this process's memory either.
 *
 * Items are data (a message's text), not closures: what waits costs little beyond its bytes.
 */
export class FrameQueue<T> {
  private items: Array<T | undefined> = [];
  private head = 0;
  private running = false;
  private paused = false;

  constructor(
    private readonly source: FrameSource,
    private readonly handle: (item: T) => Promise<void> | undefined,
    private readonly highWaterMark: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Items waiting, the one being handled not included. */
  get waiting(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
    if (!this.paused && this.waiting >= this.highWaterMark) {
      this.paused = true;
      this.source.pause();
    }
    // An idle queue handles the item at once: one that arrives alone costs no extra turn.
    if (!this.running) this.run();
  }

  private run(): void {
    this.running = true;
    const item = this.items[this.head] as T;
    this.items[this.head++] = undefined;
    let pending: Promise<void> | undefined;
    try {
      pending = this.handle(item);
    } catch (error) {
      this.onError(error);
    }
    if (pending === undefined) this.finished();
    else {
      pending.then(
        () => this.finished(),
        (error: unknown) => {
          this.onError(error);
          this.finished();
        },
      );
    }
  }

  private finished(): void {
    if (this.paused && this.waiting < this.highWaterMark / 2) {
      this.paused = false;
      this.source.resume();
    }
    if (this.waiting > 0) {
      setImmediate(() => this.run());
      return;
    }
    this.running = false;
    // An emptied array keeps its grown backing store; a connection that waits idle need not.
    this.items.length = 0;
    this.head = 0;
  }
}
