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

export const DEFAULT_BROADCAST_OPTIONS: BroadcastOptions = { maxConcurrentDeliveries: 64 };

/**
 * `sendMessage`: the one place that decides what a broadcast means. The audience is every
 * listed connection, the sender included; the frame is `data` verbatim; a recipient reported
 * gone is removed from the repository (that recipient, never the sender); deliveries run with
 * bounded concurrency. Invalid data is answered to the sender alone.
 *
 * When the chat spans several nodes (the gateway can `relay`), each validated frame is relayed
 * to the others once and each node's audience is its own connections: a node that receives a
 * relayed frame hands it to `deliver`. A frame the other nodes cannot take still reaches this
 * node's audience, and the relay's failure is rethrown so the sender hears of it.
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

  async execute({ sender, data }: SendMessageCommand): Promise<void> {
    if (typeof data !== 'string') {
      await this.gateway.post(sender, new InvalidMessageDataError().reply);
      return;
    }
    if (this.gateway.relay === undefined) return this.deliver(data);
    const relayed = this.gateway.relay(data).then(
      () => undefined,
      (error: unknown) => ({ error }),
    );
    await this.deliver(data);
    const failure = await relayed;
    if (failure !== undefined) throw failure.error;
  }

  /** Delivers an already validated frame to this node's whole audience, without relaying it. */
  async deliver(frame: string): Promise<void> {
    const settle = (recipient: ConnectionId, outcome: Delivery): void | Promise<void> => {
      if (outcome === 'gone') return this.connections.remove(recipient);
    };
    const deliver = (recipient: ConnectionId): void | Promise<void> => {
      const outcome = this.gateway.post(recipient, frame);
      if (typeof outcome === 'string') return settle(recipient, outcome);
      return outcome.then((settled) => settle(recipient, settled));
    };
    for await (const page of this.connections.list()) {
      await forEachBounded(page, this.options.maxConcurrentDeliveries, deliver);
    }
  }
}
