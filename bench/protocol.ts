import type { DeliveryReport } from './DeliveryTracker.js';

/** How the load generator's clients speak protocol v2, when they do. */
export interface ClientShape {
  /** Delivery format: every client `text`, every client `json`, or every other client `json`. */
  readonly formats: 'text' | 'json' | 'mixed';
  /** Each client connects with a display name (`name=c<index>`). */
  readonly named: boolean;
  /**
   * Clients per room (0: no rooms, messages go to everyone). Client `i` is in room
   * `r<floor(i / roomSize)>`; the first client of a room is its sender.
   */
  readonly roomSize: number;
  /** Further rooms each client joins, which no message goes to (their cost is memory). */
  readonly extraRooms: number;
}

export const PLAIN_CLIENTS: ClientShape = { formats: 'text', named: false, roomSize: 0, extraRooms: 0 };

/** Messages between the bench runner and the load generator (Node IPC). */
export type RunnerMessage =
  | {
      readonly type: 'connect';
      readonly urls: readonly string[];
      /** Connections open once done, counting those already open. */
      readonly clients: number;
      readonly timeoutMs: number;
      readonly shape: ClientShape;
    }
  | {
      readonly type: 'round';
      readonly senders: number;
      readonly messages: number;
      readonly payloadBytes: number;
      /** Most messages of one sender sent and not yet received back by that sender. */
      readonly window: number;
      /** Messages per second over all senders; 0 sends as fast as the window allows. */
      readonly rate: number;
      readonly timeoutMs: number;
      /** As at connect: clients per room, 0 for everyone. */
      readonly roomSize: number;
    }
  | { readonly type: 'close' };

export interface RoundResult {
  readonly report: DeliveryReport;
  readonly sent: number;
  /** From the first send to the last receive. */
  readonly durationMs: number;
  readonly timedOut: boolean;
  /** Clients whose connection closed during the round. */
  readonly closedClients: number;
}

export type LoadGeneratorMessage =
  | { readonly type: 'connected'; readonly connectMs: number }
  | { readonly type: 'round'; readonly result: RoundResult }
  | { readonly type: 'failed'; readonly message: string };
