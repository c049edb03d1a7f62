import type { ConnectionId } from './ConnectionId.js';

/** What became of one delivery. */
export type Delivery = 'delivered' | 'gone';

/** Delivers frames to connected clients, whatever carries them. */
export interface MessageGateway {
  /**
   * Sends `frame` to `to` as one text frame, verbatim.
   * Resolves `'gone'` when that connection no longer exists (it never throws for that);
   * rejects only on an infrastructure failure.
   */
  post(to: ConnectionId, frame: string): Promise<Delivery>;
}
