import type { ConnectionId, Delivery, MessageGateway, Publication } from '../../domain/index.js';
import type { RedisRoomRelay } from './RedisRoomRelay.js';

/**
 * A cluster node's gateway: a post goes to a socket of this node (every connection a node's use
 * cases address is its own), and a publication goes through Redis to every node, this one
 * included, each of which delivers it to its own members.
 */
export class RedisMessageGateway implements MessageGateway {
  constructor(
    private readonly local: MessageGateway,
    private readonly relay: Pick<RedisRoomRelay, 'publish'>,
  ) {}

  post(to: ConnectionId, frame: string): Delivery | Promise<Delivery> {
    return this.local.post(to, frame);
  }

  disconnect(to: ConnectionId): Promise<void> {
    return this.local.disconnect(to);
  }

  publish(publication: Publication): Promise<void> {
    return this.relay.publish(publication);
  }
}
