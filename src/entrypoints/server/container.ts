import { Container, ContainerModule } from 'inversify';
import { InMemoryConnectionRepository } from '../../adapters/memory/index.js';
import { WsChatServer, WsMessageGateway } from '../../adapters/ws/index.js';
import { coreModule } from '../coreModule.js';
import { describeError, log } from '../log.js';
import { TOKENS } from '../tokens.js';
import { clusterModule } from './clusterModule.js';
import type { ServerConfig } from './config.js';
import type { ClusterLinks } from './connectCluster.js';
import { createConnectionHandler } from './createConnectionHandler.js';
import { SERVER_TOKENS } from './serverTokens.js';

export { SERVER_TOKENS } from './serverTokens.js';

/** The `ws` transport: sockets of this process and the server that accepts them. */
const wsModule = new ContainerModule(({ bind }) => {
  bind(SERVER_TOKENS.WsMessageGateway)
    .toResolvedValue(
      (config) => new WsMessageGateway({ maxBufferedBytes: config.maxBufferedBytes }),
      [SERVER_TOKENS.Config],
    )
    .inSingletonScope();
  bind(TOKENS.BroadcastOptions)
    .toResolvedValue((config) => ({ maxConcurrentDeliveries: config.maxConcurrentDeliveries }), [SERVER_TOKENS.Config])
    .inSingletonScope();
  bind(SERVER_TOKENS.WsChatServer)
    .toResolvedValue(
      (config, gateway, join, leave, router) =>
        new WsChatServer(gateway, createConnectionHandler({ join, leave, router, gateway }), {
          ...config,
          // A socket error is the client's doing (bad UTF-8, oversized frame): not an alarm.
          onError: (error, context) =>
            log(context === 'socket' ? 'warn' : 'error', 'connection.failure', { context, ...describeError(error) }),
        }),
      [SERVER_TOKENS.Config, SERVER_TOKENS.WsMessageGateway, TOKENS.JoinChat, TOKENS.LeaveChat, TOKENS.ActionRouter],
    )
    .inSingletonScope();
});

/** The standalone default: connections in this process's memory, delivered to its sockets. */
const memoryModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.ConnectionRepository).toConstantValue(new InMemoryConnectionRepository());
  bind(TOKENS.MessageGateway).toService(SERVER_TOKENS.WsMessageGateway);
});

/**
 * Builds the server's container: standalone without `cluster`, a cluster node with the Redis
 * links (connected before, so an unreachable Redis fails the start, not a later request).
 */
export function buildServerContainer(config: ServerConfig, cluster?: ClusterLinks): Container {
  const container = new Container();
  container.bind(SERVER_TOKENS.Config).toConstantValue(config);
  container.load(coreModule, wsModule);
  if (cluster === undefined) {
    container.load(memoryModule);
    return container;
  }
  container.load(clusterModule(cluster, config.cluster));
  return container;
}
