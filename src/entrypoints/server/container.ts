import { Container, ContainerModule, type ServiceIdentifier } from 'inversify';
import { InMemoryConnectionRepository } from '../../adapters/memory/index.js';
import { WsChatServer, WsMessageGateway } from '../../adapters/ws/index.js';
import { coreModule } from '../coreModule.js';
import { describeError, log } from '../log.js';
import { TOKENS } from '../tokens.js';
import type { ServerConfig } from './config.js';
import { createConnectionHandler } from './createConnectionHandler.js';

export const SERVER_TOKENS = {
  Config: Symbol.for('ServerConfig') as ServiceIdentifier<ServerConfig>,
  WsMessageGateway: Symbol.for('WsMessageGateway') as ServiceIdentifier<WsMessageGateway>,
  WsChatServer: Symbol.for('WsChatServer') as ServiceIdentifier<WsChatServer>,
} as const;

/** The `ws` transport: sockets of this process and the server that accepts them. */
const wsModule = new ContainerModule(({ bind }) => {
  bind(SERVER_TOKENS.WsMessageGateway)
    .toResolvedValue(
      (config) => new WsMessageGateway({ maxBufferedBytes: config.maxBufferedBytes }),
      [SERVER_TOKENS.Config],
    )
    .inSingletonScope();
  bind(TOKENS.MessageGateway).toService(SERVER_TOKENS.WsMessageGateway);
  bind(TOKENS.BroadcastOptions)
    .toResolvedValue((config) => ({ maxConcurrentDeliveries: config.maxConcurrentDeliveries }), [SERVER_TOKENS.Config])
    .inSingletonScope();
  bind(SERVER_TOKENS.WsChatServer)
    .toResolvedValue(
      (config, gateway, join, leave, router) =>
        new WsChatServer(gateway, createConnectionHandler({ join, leave, router, gateway }), {
          ...config,
          onError: (error, context) => log('error', 'connection.failure', { context, ...describeError(error) }),
        }),
      [SERVER_TOKENS.Config, SERVER_TOKENS.WsMessageGateway, TOKENS.JoinChat, TOKENS.LeaveChat, TOKENS.ActionRouter],
    )
    .inSingletonScope();
});

/** The standalone default: connections in this process's memory. */
const memoryModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.ConnectionRepository).toConstantValue(new InMemoryConnectionRepository());
});

/** Builds the standalone server's container. */
export function buildServerContainer(config: ServerConfig): Container {
  const container = new Container();
  container.bind(SERVER_TOKENS.Config).toConstantValue(config);
  container.load(coreModule, wsModule, memoryModule);
  return container;
}
