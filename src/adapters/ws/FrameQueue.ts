import type { WebSocket } from 'ws';

/**
 * Runs one client's work in arrival order, one item at a time. When too many items wait, the
 * socket stops being read (TCP pushes back on the client) until the queue drains, so a flooding
 * client can neither reorder its own messages nor grow this process's memory.
 */
export class FrameQueue {
  private readonly items: Array<() => Promise<void>> = [];
  private running = false;
  private paused = false;

  constructor(
    private readonly socket: WebSocket,
    private readonly highWaterMark: number,
    private readonly onError: (error: unknown) => void,
  ) {}

  push(work: () => Promise<void>): void {
    this.items.push(work);
    if (this.items.length >= this.highWaterMark && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    if (!this.running) void this.drain();
  }

  private async drain(): Promise<void> {
    this.running = true;
    for (let work = this.items.shift(); work !== undefined; work = this.items.shift()) {
      try {
        await work();
      } catch (error) {
        this.onError(error);
      }
      if (this.paused && this.items.length < this.highWaterMark / 2) {
        this.paused = false;
        this.socket.resume();
      }
    }
    this.running = false;
    // An emptied array keeps its grown backing store; a connection that waits idle need not.
    this.items.length = 0;
  }
}
