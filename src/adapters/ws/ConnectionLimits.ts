import type { WebSocket } from 'ws';
import { CloseCodes } from './CloseCodes.js';

export interface ConnectionLimitsOptions {
  /** A connection that sends nothing for this long is closed with 1001. */
  readonly idleTimeoutMs: number;
  /** Any connection is closed with 1001 once it is this old. */
  readonly maxConnectionAgeMs: number;
  /** Interval of the ping/pong heartbeat; a peer that misses one pong is terminated. */
  readonly heartbeatIntervalMs: number;
}

interface Tracked {
  alive: boolean;
  idle: NodeJS.Timeout;
  age: NodeJS.Timeout;
}

/** Idle timeout, maximum connection age, and the heartbeat that finds dead peers. */
export class ConnectionLimits {
  private readonly tracked = new Map<WebSocket, Tracked>();
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConnectionLimitsOptions) {}

  start(): void {
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  track(socket: WebSocket): void {
    const close = (reason: string) => () => socket.close(CloseCodes.goingAway, reason);
    const entry: Tracked = {
      alive: true,
      idle: setTimeout(close('Idle timeout'), this.options.idleTimeoutMs).unref(),
      age: setTimeout(close('Maximum connection age reached'), this.options.maxConnectionAgeMs).unref(),
    };
    this.tracked.set(socket, entry);
    socket.on('pong', () => {
      entry.alive = true;
    });
  }

  /** Client activity: restarts its idle timer. */
  touch(socket: WebSocket): void {
    this.tracked.get(socket)?.idle.refresh();
  }

  untrack(socket: WebSocket): void {
    const entry = this.tracked.get(socket);
    if (entry === undefined) return;
    clearTimeout(entry.idle);
    clearTimeout(entry.age);
    this.tracked.delete(socket);
  }

  private beat(): void {
    for (const [socket, entry] of this.tracked) {
      if (!entry.alive) {
        socket.terminate();
        continue;
      }
      entry.alive = false;
      socket.ping();
    }
  }
}
