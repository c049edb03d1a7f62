import type { Readable } from 'node:stream';

/**
 * A deadline on a client's stream that only runs while this process is reading it. Whenever
 * the stream is paused (the client's queue is full, or `ws` has a backlog to parse), the rest of
 * a message may be waiting in the kernel for us, not for the client: that time is not the
 * client's to answer for, so the clock stops and goes on when reading resumes.
 */
export class ReadingDeadline {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private leftMs = 0;
  private since = 0;
  private readonly onPause = () => this.stopClock();
  private readonly onResume = () => this.startClock();

  constructor(
    private readonly stream: Readable,
    private readonly timeoutMs: number,
    private readonly expired: () => void,
  ) {}

  get armed(): boolean {
    return this.running;
  }

  /** Starts a full `timeoutMs` of reading time. */
  arm(): void {
    this.running = true;
    this.leftMs = this.timeoutMs;
    this.stream.on('pause', this.onPause).on('resume', this.onResume);
    if (!this.stream.isPaused()) this.startClock();
  }

  disarm(): void {
    if (!this.running) return;
    this.running = false;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.stream.off('pause', this.onPause).off('resume', this.onResume);
  }

  private startClock(): void {
    if (!this.running || this.timer !== undefined) return;
    this.since = performance.now();
    this.timer = setTimeout(() => this.expire(), this.leftMs).unref();
  }

  private stopClock(): void {
    if (this.timer === undefined) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.leftMs = Math.max(0, this.leftMs - (performance.now() - this.since));
  }

  private expire(): void {
    this.timer = undefined;
    this.disarm();
    this.expired();
  }
}
