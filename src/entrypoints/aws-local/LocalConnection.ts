import { WebSocket } from 'ws';
import type { ConnectionFacts } from './events.js';

/** Close codes API Gateway uses. */
export const CLOSE = { normal: 1000, goingAway: 1001, messageTooBig: 1009 } as const;

export interface LocalConnectionLimits {
  readonly idleTimeoutMs: number;
  readonly maxConnectionAgeMs: number;
  /** Invocations waiting for one connection beyond which its socket stops being read. */
  readonly maxQueuedInvocations: number;
}

/**
 * One client of the emulated API: its socket, API Gateway's limits, and the queue that runs its
 * invocations one at a time in arrival order (`$connect` first, `$disconnect` last).
 */
export class LocalConnection {
  lastActiveAt: number;
  private tail: Promise<void> = Promise.resolve();
  private queued = 0;
  private paused = false;
  private readonly idle: NodeJS.Timeout;
  private readonly age: NodeJS.Timeout;

  constructor(
    readonly facts: ConnectionFacts,
    readonly socket: WebSocket,
    private readonly limits: LocalConnectionLimits,
  ) {
    this.lastActiveAt = facts.connectedAt;
    const close = (reason: string) => () => this.close(CLOSE.goingAway, reason);
    this.idle = setTimeout(close('Going away'), limits.idleTimeoutMs).unref();
    this.age = setTimeout(close('Going away'), limits.maxConnectionAgeMs).unref();
  }

  get id(): string {
    return this.facts.connectionId;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Client activity: restarts the idle timer. */
  touch(): void {
    this.lastActiveAt = Date.now();
    this.idle.refresh();
  }

  /** Runs `work` after everything queued before it; failures are the caller's to report. */
  enqueue(work: () => Promise<void>): Promise<void> {
    this.queued++;
    if (this.queued >= this.limits.maxQueuedInvocations && !this.paused) {
      this.paused = true;
      this.socket.pause();
    }
    const run = this.tail.then(work).finally(() => {
      this.queued--;
      if (this.paused && this.queued < this.limits.maxQueuedInvocations / 2) {
        this.paused = false;
        this.socket.resume();
      }
    });
    this.tail = run.catch(() => {});
    return run;
  }

  /** Sends one text frame. */
  send(data: Buffer): void {
    this.lastActiveAt = Date.now();
    this.socket.send(data, { binary: false });
  }

  close(code: number, reason: string): void {
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }

  /** Stops the limit timers once the socket is closed. */
  dispose(): void {
    clearTimeout(this.idle);
    clearTimeout(this.age);
  }
}
