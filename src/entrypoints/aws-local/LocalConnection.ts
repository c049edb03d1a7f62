import type { Duplex } from 'node:stream';
import { WebSocket } from 'ws';
import {
  type FrameLimitError,
  FrameWriter,
  InboundFrameGuard,
  type InboundLimits,
  type SlowClientLimits,
  serverTextFrame,
} from '../../adapters/ws/index.js';
import type { ConnectionFacts } from './events.js';
import { InvocationQueue, type InvocationQueueOptions } from './InvocationQueue.js';

/** The close of a connection, queued behind its messages: `$disconnect` runs last. */
export interface Disconnected {
  readonly code: number;
  readonly reason: string;
  /** Called once `$disconnect` has run. */
  readonly done: () => void;
}

/** A client message API Gateway accepted: its text and the route selected for it. */
export interface RoutedMessage {
  readonly routeKey: string;
  readonly body: string;
}

/** What a connection's queue handles: its messages, then its close. */
export type ConnectionWork = RoutedMessage | Disconnected;

export interface LocalConnectionOptions {
  readonly inbound: InboundLimits;
  readonly slowClients: SlowClientLimits;
  /** How many of its invocations run at once, and how many messages may wait. */
  readonly invocations: InvocationQueueOptions;
  /** Runs one piece of this connection's work (an invocation). */
  readonly run: (connection: LocalConnection, work: ConnectionWork) => Promise<void> | undefined;
  readonly onError: (error: unknown) => void;
  readonly onViolation: (error: FrameLimitError) => void;
}

/**
 * One client of the emulated API. Its frames and its sends go through the same pieces as the
 * chat server's (`InboundFrameGuard`, `FrameWriter`), so a client meets the same limits on both,
 * and a client that stops reading is disconnected, as API Gateway drops one it cannot deliver to.
 * Its messages' invocations run concurrently, as on API Gateway, within the queue's bounds.
 */
export class LocalConnection {
  /** Last client message or Management API post, epoch ms (the Management API's `lastActiveAt`). */
  lastActiveAt: number;
  readonly guard: InboundFrameGuard;
  readonly queue: InvocationQueue<ConnectionWork>;
  private readonly writer: FrameWriter;

  constructor(
    readonly facts: ConnectionFacts,
    readonly socket: WebSocket,
    stream: Duplex,
    options: LocalConnectionOptions,
  ) {
    this.lastActiveAt = facts.connectedAt;
    this.guard = new InboundFrameGuard(socket, stream, options.inbound, options.onViolation);
    this.writer = new FrameWriter(socket, stream, options.slowClients);
    this.queue = new InvocationQueue<ConnectionWork>(
      socket,
      (work) => options.run(this, work),
      options.invocations,
      options.onError,
    );
  }

  private closedHere = false;

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

  /** Sends one text frame; false when the connection is gone or was just cut for falling behind. */
  send(data: Buffer | string): boolean {
    this.lastActiveAt = Date.now();
    return this.writer.write(data, serverTextFrame(data));
  }

  /** True once the stage closed the connection (a DELETE on @connections, a deadline, a shutdown). */
  get closedByStage(): boolean {
    return this.closedHere;
  }

  close(code: number, reason: string): void {
    this.closedHere = true;
    if (this.socket.readyState === WebSocket.OPEN || this.socket.readyState === WebSocket.CONNECTING) {
      this.socket.close(code, reason);
    }
  }
}
