import {
  type ConnectionId,
  type ConnectionRepository,
  type Delivery,
  InvalidMessageDataError,
  type MessageGateway,
} from '../domain/index.js';
import { forEachBounded } from './forEachBounded.js';

export interface BroadcastOptions {
  /** Most deliveries of one broadcast in flight at once. */
  readonly maxConcurrentDeliveries: number;
}

export interface SendMessageCommand {
  readonly sender: ConnectionId;
  /** The `data` field of the client's frame, not yet validated. */
  readonly data: unknown;
}

export type BroadcastResult =
  | { readonly kind: 'broadcast'; readonly delivered: number; readonly gone: number }
  | { readonly kind: 'rejected'; readonly error: InvalidMessageDataError };

export const DEFAULT_BROADCAST_OPTIONS: BroadcastOptions = { maxConcurrentDeliveries: 64 };

/**
 * `sendMessage`: the one place that decides what a broadcast means. The audience is every
 * listed connection, the sender included; the frame is `data` verbatim; a recipient reported
 * gone is removed from the repository (that recipient, never the sender); deliveries run with
 * bounded concurrency.
 *
 * When the chat spans several nodes (the gateway can `relay`), each validated frame is relayed
 * to the others once and each node's audience is its own connections. A frame the other nodes
 * cannot take still reaches this node's audience, and the relay's failure is rethrown so the
 * sender hears of it.
 */
export class BroadcastMessage {
  constructor(
    private readonly connections: ConnectionRepository,
    private readonly gateway: MessageGateway,
    private readonly options: BroadcastOptions = DEFAULT_BROADCAST_OPTIONS,
  ) {
    if (!Number.isInteger(options.maxConcurrentDeliveries) || options.maxConcurrentDeliveries < 1) {
      throw new RangeError('maxConcurrentDeliveries must be a positive integer');
    }
  }

  async execute({ sender, data }: SendMessageCommand): Promise<BroadcastResult> {
    if (typeof data !== 'string') {
      const error = new InvalidMessageDataError();
      await this.gateway.post(sender, error.reply);
      return { kind: 'rejected', error };
    }
    if (this.gateway.relay === undefined) return this.deliverToAll(data);
    const relayed = this.gateway.relay(data).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    const result = await this.deliverToAll(data);
    const failure = await relayed;
    if (failure !== undefined) throw failure.error;
    return result;
  }

  /** Delivers an already validated frame to the whole audience, without relaying it. */
  async deliverToAll(frame: string): Promise<BroadcastResult> {
    let delivered = 0;
    let gone = 0;
    const settle = (recipient: ConnectionId, outcome: Delivery): void | Promise<void> => {
      if (outcome === 'delivered') {
        delivered++;
        return;
      }
      gone++;
      return this.connections.remove(recipient);
    };
    const deliver = (recipient: ConnectionId): void | Promise<void> => {
      const outcome = this.gateway.post(recipient, frame);
      if (typeof outcome === 'string') return settle(recipient, outcome);
      return outcome.then((settled) => settle(recipient, settled));
    };
    for await (const page of this.connections.list()) {
      await forEachBounded(page, this.options.maxConcurrentDeliveries, deliver);
    }
    return { kind: 'broadcast', delivered, gone };
  }
}
