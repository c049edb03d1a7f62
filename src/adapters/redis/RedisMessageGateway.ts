import type { ConnectionId, Delivery, MessageGateway } from '../../domain/index.js';
import type { RedisBroadcastRelay } from './RedisBroadcastRelay.js';

/**
 * A cluster node's gateway: a post goes to a socket of this node (every connection a node's use
 * cases address is its own), and a broadcast is relayed once to the other nodes, each of which
 * delivers it to its own connections.
 */
export class RedisMessageGateway implements MessageGateway {
  constructor(
    private readonly local: MessageGateway,
    private readonly broadcasts: Pick<RedisBroadcastRelay, 'relay'>,
  ) {}

  post(to: ConnectionId, frame: string): Delivery | Promise<Delivery> {
    return this.local.post(to, frame);
  }

  relay(frame: string): Promise<void> {
    return this.broadcasts.relay(frame);
  }
}
