import { performance } from 'node:perf_hooks';
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

/** Milliseconds since this process started: small integers that V8 stores without boxing. */
const now = (): number => Math.floor(performance.now());

interface Tracked {
  alive: boolean;
  readonly openedAt: number;
  lastActiveAt: number;
  /** Due at the nearer of the idle and the age deadline. */
  timer: NodeJS.Timeout;
}

/**
 * Idle timeout, maximum connection age, and the heartbeat that finds dead peers. One timer per
 * connection serves both deadlines, and client activity only stamps a time: connections are
 * many and mostly idle, so what each holds and what each frame costs is kept small.
 */
export class ConnectionLimits {
  private readonly tracked = new Map<WebSocket, Tracked>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly expire = (socket: WebSocket) => this.checkDeadlines(socket);
  private readonly onPong: (this: WebSocket) => void;

  constructor(private readonly options: ConnectionLimitsOptions) {
    const answered = (socket: WebSocket) => {
      const entry = this.tracked.get(socket);
      if (entry !== undefined) entry.alive = true;
    };
    this.onPong = function (this: WebSocket) {
      answered(this);
    };
  }

  start(): void {
    this.heartbeat = setInterval(() => this.beat(), this.options.heartbeatIntervalMs);
    this.heartbeat.unref();
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  track(socket: WebSocket): void {
    const openedAt = now();
    const firstDeadline = Math.min(this.options.idleTimeoutMs, this.options.maxConnectionAgeMs);
    this.tracked.set(socket, {
      alive: true,
      openedAt,
      lastActiveAt: openedAt,
      timer: setTimeout(this.expire, firstDeadline, socket).unref(),
    });
    socket.on('pong', this.onPong);
  }

  /** Client activity: moves its idle deadline. */
  touch(socket: WebSocket): void {
    const entry = this.tracked.get(socket);
    if (entry !== undefined) entry.lastActiveAt = now();
  }

  untrack(socket: WebSocket): void {
    const entry = this.tracked.get(socket);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.tracked.delete(socket);
  }

  /** Closes a connection past a deadline, or sleeps until the nearer one (activity moved it). */
  private checkDeadlines(socket: WebSocket): void {
    const entry = this.tracked.get(socket);
    if (entry === undefined) return;
    const at = now();
    const ageLeft = entry.openedAt + this.options.maxConnectionAgeMs - at;
    const idleLeft = entry.lastActiveAt + this.options.idleTimeoutMs - at;
    if (ageLeft <= 0) {
      socket.close(CloseCodes.goingAway, 'Maximum connection age reached');
    } else if (idleLeft <= 0) {
      socket.close(CloseCodes.goingAway, 'Idle timeout');
    } else {
      entry.timer = setTimeout(this.expire, Math.min(ageLeft, idleLeft), socket).unref();
    }
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
