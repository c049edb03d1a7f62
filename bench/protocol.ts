import type { DeliveryReport } from './DeliveryTracker.js';

/** Messages between the bench runner and the load generator (Node IPC). */
export type RunnerMessage =
  | {
      readonly type: 'connect';
      readonly urls: readonly string[];
      /** Connections open once done, counting those already open. */
      readonly clients: number;
      readonly timeoutMs: number;
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
