import type { WebSocket } from 'ws';
import { CloseCodes } from './CloseCodes.js';

export interface ConnectionDeadlinesOptions {
  /** A connection that sends nothing for this long is closed with 1001. */
  readonly idleTimeoutMs: number;
  /** Any connection is closed with 1001 once it is this old. */
  readonly maxConnectionAgeMs: number;
  /**
   * Interval of the ping/pong heartbeat; a peer that misses one pong is terminated. Absent: no
   * heartbeat (API Gateway pings no one, so neither does its emulator).
   */
  readonly heartbeatIntervalMs?: number;
}

/** What the deadlines need of a socket. */
export type WatchedSocket = Pick<WebSocket, 'close' | 'terminate' | 'ping' | 'on'>;

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
export class ConnectionDeadlines {
  private readonly tracked = new Map<WatchedSocket, Tracked>();
  private heartbeat: NodeJS.Timeout | undefined;
  private readonly expire = (socket: WatchedSocket) => this.checkDeadlines(socket);
  private readonly onPong: (this: WatchedSocket) => void;

  constructor(private readonly options: ConnectionDeadlinesOptions) {
    const answered = (socket: WatchedSocket) => {
      const entry = this.tracked.get(socket);
      if (entry !== undefined) entry.alive = true;
    };
    this.onPong = function (this: WatchedSocket) {
      answered(this);
    };
  }

  /** Starts the heartbeat, if there is one. */
  start(): void {
    const interval = this.options.heartbeatIntervalMs;
    if (interval === undefined) return;
    this.heartbeat = setInterval(() => this.beat(), interval);
    this.heartbeat.unref();
  }

  stop(): void {
    clearInterval(this.heartbeat);
  }

  track(socket: WatchedSocket): void {
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
  touch(socket: WatchedSocket): void {
    const entry = this.tracked.get(socket);
    if (entry !== undefined) entry.lastActiveAt = now();
  }

  untrack(socket: WatchedSocket): void {
    const entry = this.tracked.get(socket);
    if (entry === undefined) return;
    clearTimeout(entry.timer);
    this.tracked.delete(socket);
  }

  /** Closes a connection past a deadline, or sleeps until the nearer one (activity moved it). */
  private checkDeadlines(socket: WatchedSocket): void {
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
