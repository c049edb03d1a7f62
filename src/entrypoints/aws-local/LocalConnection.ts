import { WebSocket } from 'ws';
import { FrameQueue } from '../../adapters/ws/index.js';
import type { ConnectionFacts } from './events.js';

/** The close of a connection, queued behind its messages: `$disconnect` runs last. */
export interface Disconnected {
  readonly code: number;
  readonly reason: string;
  /** Called once `$disconnect` has run. */
  readonly done: () => void;
}

/** What a connection's queue handles: a message, then its close. */
export type ConnectionWork = { readonly payload: Buffer; readonly isBinary: boolean } | Disconnected;

/**
 * One client of the emulated API: its socket, and the queue that runs its invocations one at a
 * time in arrival order (`$connect` first, `$disconnect` last): the chat server's `FrameQueue`,
 * so that a client meets the same ordering and backpressure on both.
 */
export class LocalConnection {
  /** Last client message or Management API post, epoch ms (the Management API's `lastActiveAt`). */
  lastActiveAt: number;
  readonly queue: FrameQueue<ConnectionWork>;

  constructor(
    readonly facts: ConnectionFacts,
    readonly socket: WebSocket,
    maxQueuedInvocations: number,
    run: (connection: LocalConnection, work: ConnectionWork) => Promise<void>,
    onError: (error: unknown) => void,
  ) {
    this.lastActiveAt = facts.connectedAt;
    this.queue = new FrameQueue<ConnectionWork>(socket, (work) => run(this, work), maxQueuedInvocations, onError);
  }

  get id(): string {
    return this.facts.connectionId;
  }

  get open(): boolean {
    return this.socket.readyState === WebSocket.OPEN;
  }

  /** Client activity. */
  touch(): void {
    this.lastActiveAt = Date.now();
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
}
