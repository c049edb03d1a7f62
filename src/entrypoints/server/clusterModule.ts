import { ContainerModule, type ServiceIdentifier } from 'inversify';
import { InMemoryConnectionRepository } from '../../adapters/memory/index.js';
import {
  RedisBroadcastRelay,
  RedisConnectionRepository,
  RedisMessageGateway,
  RedisNodeHeartbeat,
} from '../../adapters/redis/index.js';
import { describeError, log } from '../log.js';
import { TOKENS } from '../tokens.js';
import { ClusterMembership } from './ClusterMembership.js';
import type { ClusterConfig } from './config.js';
import type { ClusterLinks } from './connectCluster.js';
import { SERVER_TOKENS } from './serverTokens.js';

export const CLUSTER_TOKENS = {
  Directory: Symbol.for('RedisDirectory') as ServiceIdentifier<RedisConnectionRepository>,
  Membership: Symbol.for('ClusterMembership') as ServiceIdentifier<ClusterMembership>,
  Gateway: Symbol.for('RedisMessageGateway') as ServiceIdentifier<RedisMessageGateway>,
  Relay: Symbol.for('RedisBroadcastRelay') as ServiceIdentifier<RedisBroadcastRelay>,
  Heartbeat: Symbol.for('RedisNodeHeartbeat') as ServiceIdentifier<RedisNodeHeartbeat>,
} as const;

const warn = (event: string, fields: Record<string, unknown>) => log('warn', event, fields);

/**
 * The cluster shape: this node's sockets are its audience, Redis holds the directory and
 * carries each broadcast once to the other nodes.
 */
export function clusterModule(links: ClusterLinks, config: ClusterConfig): ContainerModule {
  const { commands: redis, subscriber, keys, nodeId } = links;
  let beating = true;
  return new ContainerModule(({ bind }) => {
    bind(CLUSTER_TOKENS.Directory).toConstantValue(new RedisConnectionRepository({ redis, keys, nodeId }));
    bind(CLUSTER_TOKENS.Membership)
      .toResolvedValue(
        (directory) =>
          new ClusterMembership(new InMemoryConnectionRepository(), directory, (error, operation) =>
            warn('directory.write_failed', { operation, ...describeError(error) }),
          ),
        [CLUSTER_TOKENS.Directory],
      )
      .inSingletonScope();
    bind(TOKENS.ConnectionRepository).toService(CLUSTER_TOKENS.Membership);
    bind(CLUSTER_TOKENS.Gateway)
      .toResolvedValue(
        (local, directory, broadcasts) =>
          new RedisMessageGateway({ redis, subscriber, keys, nodeId, local, directory, broadcasts, onWarning: warn }),
        [SERVER_TOKENS.WsMessageGateway, CLUSTER_TOKENS.Directory, CLUSTER_TOKENS.Relay],
      )
      .inSingletonScope();
    bind(TOKENS.MessageGateway).toService(CLUSTER_TOKENS.Gateway);
    bind(CLUSTER_TOKENS.Relay).toConstantValue(
      new RedisBroadcastRelay({
        redis,
        subscriber,
        keys,
        nodeId,
        maxHeldFrames: config.maxHeldFrames,
        maxHeldBytes: config.maxHeldBytes,
        resumeWaitMs: 2 * config.heartbeatIntervalMs,
        onWarning: warn,
      }),
    );
    bind(CLUSTER_TOKENS.Heartbeat)
      .toResolvedValue(
        (membership, relay) =>
          new RedisNodeHeartbeat({
            redis,
            keys,
            nodeId,
            intervalMs: config.heartbeatIntervalMs,
            onBeat: (report) => {
              beating = true;
              relay.expectNodes(report.liveNodes);
              if (report.purgedNodes > 0) log('info', 'cluster.purged', { ...report });
              if (!report.lostRegistration && !membership.needsResync) return;
              // Redis lost our entries (restart) or a write failed: rewrite them from memory.
              membership.resync().catch((error: unknown) => warn('directory.resync_failed', describeError(error)));
            },
            onError: (error) => {
              // One line per outage, not one per beat.
              if (beating) warn('heartbeat.failed', describeError(error));
              beating = false;
            },
          }),
        [CLUSTER_TOKENS.Membership, CLUSTER_TOKENS.Relay],
      )
      .inSingletonScope();
  });
}
