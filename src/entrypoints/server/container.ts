import { Container, ContainerModule } from 'inversify';
import { InMemoryConnectionRepository, InMemoryMessageHistory } from '../../adapters/memory/index.js';
import { createRedisChat, type RedisChat } from '../../adapters/redis/index.js';
import { WsChatServer, WsMessageGateway } from '../../adapters/ws/index.js';
import { coreModule } from '../coreModule.js';
import { describeError, log } from '../log.js';
import { TOKENS } from '../tokens.js';
import type { ServerConfig } from './config.js';
import { createConnectionHandler } from './createConnectionHandler.js';

/** The `ws` transport: sockets of this process and the server that accepts them. */
const wsModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.WsMessageGateway)
    .toResolvedValue(
      (config) => new WsMessageGateway({ maxBufferedBytes: config.maxBufferedBytes }),
      [TOKENS.ServerConfig],
    )
    .inSingletonScope();
  bind(TOKENS.FanoutOptions)
    .toResolvedValue((config) => ({ maxConcurrentDeliveries: config.maxConcurrentDeliveries }), [TOKENS.ServerConfig])
    .inSingletonScope();
  bind(TOKENS.ChatLimits)
    .toResolvedValue((config) => config.chat.limits, [TOKENS.ServerConfig])
    .inSingletonScope();
  bind(TOKENS.RateLimit)
    .toResolvedValue((config) => config.chat.rateLimit, [TOKENS.ServerConfig])
    .inSingletonScope();
  bind(TOKENS.WsChatServer)
    .toResolvedValue(
      (config, gateway, join, leave, router) =>
        new WsChatServer(gateway, createConnectionHandler({ join, leave, router }), {
          ...config,
          // A socket error is the client's doing (bad UTF-8, oversized frame): not an alarm.
          onError: (error, context) =>
            log(context === 'socket' ? 'warn' : 'error', 'connection.failure', { context, ...describeError(error) }),
        }),
      [TOKENS.ServerConfig, TOKENS.WsMessageGateway, TOKENS.JoinChat, TOKENS.LeaveChat, TOKENS.ActionRouter],
    )
    .inSingletonScope();
});

/** The standalone default: connections in this process's memory, delivered to its sockets. */
const memoryModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.ConnectionRepository).toConstantValue(new InMemoryConnectionRepository());
  bind(TOKENS.MessageGateway).toService(TOKENS.WsMessageGateway);
  bind(TOKENS.MessageHistory)
    .toResolvedValue((config) => new InMemoryMessageHistory(config.chat.retention), [TOKENS.ServerConfig])
    .inSingletonScope();
});

/** A cluster node: the ports the Redis adapter assembles around this node's sockets. */
async function clusterModule(container: Container, config: ServerConfig, redisUrl: string) {
  const cluster = await createRedisChat(redisUrl, {
    ...config.cluster,
    retention: config.chat.retention,
    local: container.get(TOKENS.WsMessageGateway),
    localConnections: new InMemoryConnectionRepository(),
    log,
  });
  const module = new ContainerModule(({ bind }) => {
    bind(TOKENS.ConnectionRepository).toConstantValue(cluster.connections);
    bind(TOKENS.MessageGateway).toConstantValue(cluster.gateway);
    bind(TOKENS.MessageHistory).toConstantValue(cluster.history);
  });
  return { cluster, module };
}

/** The server's composition root: its container, and the cluster node when `REDIS_URL` is set. */
export interface ServerComposition {
  readonly container: Container;
  readonly cluster: RedisChat | undefined;
}

/**
 * Builds the server's container: standalone on the in-memory default, or a cluster node, whose
 * Redis is connected here so that an unreachable Redis fails the start rather than a client.
 */
export async function buildServerContainer(config: ServerConfig): Promise<ServerComposition> {
  const container = new Container();
  container.bind(TOKENS.ServerConfig).toConstantValue(config);
  container.load(coreModule, wsModule);
  if (config.redisUrl === undefined) {
    container.load(memoryModule);
    return { container, cluster: undefined };
  }
  const { cluster, module } = await clusterModule(container, config, config.redisUrl);
  container.load(module);
  return { container, cluster };
}
