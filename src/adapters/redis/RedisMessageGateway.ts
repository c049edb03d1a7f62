import { type Redis, ReplyError } from 'ioredis';
import type { ConnectionId, Delivery, MessageGateway } from '../../domain/index.js';
import type { RedisBroadcastRelay } from './RedisBroadcastRelay.js';
import type { RedisConnectionRepository } from './RedisConnectionRepository.js';
import type { RedisKeys } from './RedisKeys.js';
import type { RedisSubscriber } from './RedisSubscriber.js';

export interface RedisMessageGatewayOptions {
  readonly redis: Redis;
  readonly subscriber: RedisSubscriber;
  readonly keys: RedisKeys;
  readonly nodeId: string;
  /** Delivers to the sockets of this node. */
  readonly local: MessageGateway;
  /** Where to look up which node holds a connection. */
  readonly directory: RedisConnectionRepository;
  /** Carries broadcasts to the other nodes, one PUBLISH each. */
  readonly broadcasts: RedisBroadcastRelay;
  readonly onWarning?: (event: string, fields: Record<string, unknown>) => void;
}

/**
 * Delivers to any connection of the cluster. A connection of this node is served by the local
 * gateway with no Redis traffic at all; any other is looked up in the directory and its frame
 * published on its node's own channel. Gone: the directory does not know the connection, or its
 * node no longer listens. A connection that vanishes while the frame is in transit is left to
 * its node, which removes it when its socket closes. While Redis is unreachable a connection
 * this node does not hold cannot be reached, and is reported gone.
 *
 * A broadcast is not posted connection by connection across the cluster: it is relayed once to
 * the other nodes, and each delivers it to its own connections.
 */
export class RedisMessageGateway implements MessageGateway {
  constructor(private readonly options: RedisMessageGatewayOptions) {}

  /** Listens on this node's channel for frames other nodes address to its connections. */
  async start(): Promise<void> {
    const { subscriber, keys, nodeId } = this.options;
    await subscriber.subscribe(keys.nodeChannel(nodeId), (message) => void this.receive(message));
  }

  async stop(): Promise<void> {
    await this.options.subscriber.unsubscribe(this.options.keys.nodeChannel(this.options.nodeId));
  }

  post(to: ConnectionId, frame: string): Delivery | Promise<Delivery> {
    const outcome = this.options.local.post(to, frame);
    if (outcome === 'delivered') return outcome;
    return Promise.resolve(outcome).then((settled) => (settled === 'delivered' ? settled : this.postRemote(to, frame)));
  }

  private async postRemote(to: ConnectionId, frame: string): Promise<Delivery> {
    const { directory, redis, keys, nodeId } = this.options;
    try {
      const owner = await directory.ownerOf(to);
      if (owner === undefined || owner === nodeId) return 'gone';
      const receivers = await redis.publish(keys.nodeChannel(owner), `${to}\n${frame}`);
      return receivers > 0 ? 'delivered' : 'gone';
    } catch (error) {
      if (error instanceof ReplyError) throw error;
      this.options.onWarning?.('gateway.unreachable', { connectionId: to, error: String(error) });
      return 'gone';
    }
  }

  relay(frame: string): Promise<void> {
    return this.options.broadcasts.relay(frame);
  }

  private async receive(message: string): Promise<void> {
    const split = message.indexOf('\n');
    if (split === -1) return;
    const to = message.slice(0, split) as ConnectionId;
    try {
      if ((await this.options.local.post(to, message.slice(split + 1))) === 'gone') {
        this.options.onWarning?.('gateway.gone_on_arrival', { connectionId: to });
      }
    } catch (error) {
      this.options.onWarning?.('gateway.delivery_failed', { connectionId: to, error: String(error) });
    }
  }
}
