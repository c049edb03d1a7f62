import { Container, ContainerModule } from 'inversify';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { InMemoryConnectionRepository, InMemoryMessageHistory } from '../../adapters/memory/index.js';
import { PrometheusChatMetrics } from '../../adapters/prometheus/index.js';
import { createRedisChat, type RedisChat, type RedisChatLog, type RedisTarget } from '../../adapters/redis/index.js';
import { WsChatServer, WsMessageGateway } from '../../adapters/ws/index.js';
import { AuthorizeConnection } from '../../application/index.js';
import { createTokenVerifier } from '../authSettings.js';
import { coreModule } from '../coreModule.js';
import { describeError, log } from '../log.js';
import { TOKENS } from '../tokens.js';
import type { WebPage } from '../webPage.js';
import type { ServerConfig } from './config.js';
import { createConnectionHandler } from './createConnectionHandler.js';
import { httpEndpoints } from './httpEndpoints.js';

/** Close codes counted by name; any other a client chose is `other`, so it cannot grow the metric. */
const KNOWN_CLOSE_CODES = new Set([1000, 1001, 1003, 1005, 1006, 1007, 1008, 1009, 1011]);

/** The `ws` transport, the access rules and the node's metrics. */
function serverModule(
  registry: Registry,
  page: WebPage | undefined,
  local: WsMessageGateway,
  cluster: RedisChat | undefined,
) {
  return new ContainerModule(({ bind }) => {
    bind(TOKENS.WsMessageGateway).toConstantValue(local);
    bind(TOKENS.PrometheusChatMetrics)
      .toResolvedValue(
        (gateway) =>
          new PrometheusChatMetrics(registry, {
            connectionsOpen: () => gateway.size,
            ...(cluster === undefined
              ? {}
              : {
                  heldFrames: () => cluster.status().heldFrames,
                  redisUp: () => Number(cluster.status().ready),
                }),
          }),
        [TOKENS.WsMessageGateway],
      )
      .inSingletonScope();
    bind(TOKENS.ChatMetrics).toService(TOKENS.PrometheusChatMetrics);
    bind(TOKENS.FanoutOptions)
      .toResolvedValue(
        (config, metrics) => ({ maxConcurrentDeliveries: config.maxConcurrentDeliveries, metrics }),
        [TOKENS.ServerConfig, TOKENS.ChatMetrics],
      )
      .inSingletonScope();
    bind(TOKENS.ChatLimits)
      .toResolvedValue((config) => config.chat.limits, [TOKENS.ServerConfig])
      .inSingletonScope();
    bind(TOKENS.RateLimit)
      .toResolvedValue((config) => config.chat.rateLimit, [TOKENS.ServerConfig])
      .inSingletonScope();
    bind(TOKENS.AuthorizeConnection)
      .toResolvedValue(
        (config) => new AuthorizeConnection(config.auth, createTokenVerifier(config.auth)),
        [TOKENS.ServerConfig],
      )
      .inSingletonScope();
    bind(TOKENS.WsChatServer)
      .toResolvedValue(
        (config, gateway, authorize, join, leave, router, metrics) => {
          const handler = createConnectionHandler({
            authorize,
            join,
            leave,
            router,
            onClosed: (code) => metrics.closes.inc({ code: KNOWN_CLOSE_CODES.has(code) ? String(code) : 'other' }),
          });
          const server: WsChatServer<unknown> = new WsChatServer(gateway, handler, {
            ...config,
            // A socket error is the client's doing (bad UTF-8, oversized frame): not an alarm.
            onError: (error, context) =>
              log(context === 'socket' ? 'warn' : 'error', 'connection.failure', { context, ...describeError(error) }),
            onRefused: (status) => metrics.refused.inc({ status: String(status) }),
            onRequest: httpEndpoints({
              page,
              metrics: config.metricsPort === undefined ? registry : undefined,
              ready: () => !server.draining && (cluster?.status().ready ?? true),
            }),
          });
          return server;
        },
        [
          TOKENS.ServerConfig,
          TOKENS.WsMessageGateway,
          TOKENS.AuthorizeConnection,
          TOKENS.JoinChat,
          TOKENS.LeaveChat,
          TOKENS.ActionRouter,
          TOKENS.PrometheusChatMetrics,
        ],
      )
      .inSingletonScope();
  });
}

/** The standalone default: connections and history in this process's memory, delivered to its sockets. */
const memoryModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.ConnectionRepository).toConstantValue(new InMemoryConnectionRepository());
  bind(TOKENS.MessageGateway).toService(TOKENS.WsMessageGateway);
  bind(TOKENS.MessageHistory)
    .toResolvedValue((config) => new InMemoryMessageHistory(config.chat.retention), [TOKENS.ServerConfig])
    .inSingletonScope();
});

/** A cluster node: the ports the Redis adapter assembles around this node's sockets. */
async function connectCluster(config: ServerConfig, target: RedisTarget, local: WsMessageGateway, onGap: () => void) {
  const clusterLog: RedisChatLog = (level, event, fields) => {
    if (event === 'broadcast.gap') onGap();
    log(level, event, fields);
  };
  return createRedisChat(target, {
    ...config.cluster,
    retention: config.chat.retention,
    local,
    localConnections: new InMemoryConnectionRepository(),
    log: clusterLog,
  });
}

/** The server's composition root: its container, the cluster node when `REDIS_URL` is set, and the metrics. */
export interface ServerComposition {
  readonly container: Container;
  readonly cluster: RedisChat | undefined;
  readonly registry: Registry;
}

/**
 * Builds the server's container: standalone on the in-memory default, or a cluster node, whose
 * Redis is connected here so that an unreachable Redis fails the start rather than a client.
 */
export async function buildServerContainer(config: ServerConfig, page?: WebPage): Promise<ServerComposition> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const container = new Container();
  container.bind(TOKENS.ServerConfig).toConstantValue(config);
  // The transport's gateway exists before the cluster, which delivers through it.
  const local = new WsMessageGateway({ maxBufferedBytes: config.maxBufferedBytes });
  let gaps = () => {};
  const cluster =
    config.redis === undefined ? undefined : await connectCluster(config, config.redis, local, () => gaps());
  container.load(coreModule, serverModule(registry, page, local, cluster));
  if (cluster === undefined) {
    container.load(memoryModule);
  } else {
    container.load(
      new ContainerModule(({ bind }) => {
        bind(TOKENS.ConnectionRepository).toConstantValue(cluster.connections);
        bind(TOKENS.MessageGateway).toConstantValue(cluster.gateway);
        bind(TOKENS.MessageHistory).toConstantValue(cluster.history);
      }),
    );
    const metrics = container.get(TOKENS.PrometheusChatMetrics);
    gaps = () => metrics.gaps.inc({ outcome: 'detected' });
  }
  return { container, cluster, registry };
}
