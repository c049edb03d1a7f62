import { ContainerModule } from 'inversify';
import { ActionRouter, BroadcastMessage, JoinChat, LeaveChat, RejectUnknownAction } from '../application/index.js';
import { TOKENS } from './tokens.js';

/**
 * The use cases and the router, bound to whatever adapters a runtime shape binds to the port
 * tokens. The core classes stay decorator-free; this is their only wiring.
 */
export const coreModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.JoinChat)
    .toResolvedValue((connections) => new JoinChat(connections), [TOKENS.ConnectionRepository])
    .inSingletonScope();
  bind(TOKENS.LeaveChat)
    .toResolvedValue((connections) => new LeaveChat(connections), [TOKENS.ConnectionRepository])
    .inSingletonScope();
  bind(TOKENS.BroadcastMessage)
    .toResolvedValue(
      (connections, gateway, options) => new BroadcastMessage(connections, gateway, options),
      [TOKENS.ConnectionRepository, TOKENS.MessageGateway, TOKENS.BroadcastOptions],
    )
    .inSingletonScope();
  bind(TOKENS.RejectUnknownAction)
    .toResolvedValue((gateway) => new RejectUnknownAction(gateway), [TOKENS.MessageGateway])
    .inSingletonScope();
  bind(TOKENS.ActionRouter)
    .toResolvedValue(
      (broadcast, reject, gateway) => new ActionRouter(broadcast, reject, gateway),
      [TOKENS.BroadcastMessage, TOKENS.RejectUnknownAction, TOKENS.MessageGateway],
    )
    .inSingletonScope();
});
