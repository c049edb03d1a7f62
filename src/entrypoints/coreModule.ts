import { ContainerModule } from 'inversify';
import {
  ActionRouter,
  BroadcastMessage,
  Fanout,
  JoinChat,
  JoinRoom,
  LeaveChat,
  LeaveRoom,
  ListMembers,
  ReadHistory,
  RejectUnknownAction,
  Replies,
  SetName,
} from '../application/index.js';
import { TOKENS } from './tokens.js';

/**
 * The use cases and the router, bound to whatever adapters a runtime shape binds to the port
 * tokens (and their settings). The core classes stay decorator-free; this is their only wiring.
 */
export const coreModule = new ContainerModule(({ bind }) => {
  const { ConnectionRepository: connections, Fanout: fanout, Replies: replies } = TOKENS;
  bind(TOKENS.Replies)
    .toResolvedValue((gateway) => new Replies(gateway), [TOKENS.MessageGateway])
    .inSingletonScope();
  bind(TOKENS.Fanout)
    .toResolvedValue(
      (repository, gateway, history, options) => new Fanout(repository, gateway, history, options),
      [connections, TOKENS.MessageGateway, TOKENS.MessageHistory, TOKENS.FanoutOptions],
    )
    .inSingletonScope();
  bind(TOKENS.JoinChat)
    .toResolvedValue((repository) => new JoinChat(repository), [connections])
    .inSingletonScope();
  bind(TOKENS.LeaveChat)
    .toResolvedValue((repository, f) => new LeaveChat(repository, f), [connections, fanout])
    .inSingletonScope();
  bind(TOKENS.BroadcastMessage)
    .toResolvedValue((f, r) => new BroadcastMessage(f, r), [fanout, replies])
    .inSingletonScope();
  bind(TOKENS.JoinRoom)
    .toResolvedValue(
      (repository, f, r, limits) => new JoinRoom(repository, f, r, limits),
      [connections, fanout, replies, TOKENS.ChatLimits],
    )
    .inSingletonScope();
  bind(TOKENS.LeaveRoom)
    .toResolvedValue((repository, f, r) => new LeaveRoom(repository, f, r), [connections, fanout, replies])
    .inSingletonScope();
  bind(TOKENS.SetName)
    .toResolvedValue((repository, r) => new SetName(repository, r), [connections, replies])
    .inSingletonScope();
  bind(TOKENS.ListMembers)
    .toResolvedValue(
      (repository, r, limits) => new ListMembers(repository, r, limits),
      [connections, replies, TOKENS.ChatLimits],
    )
    .inSingletonScope();
  bind(TOKENS.ReadHistory)
    .toResolvedValue((history, r) => new ReadHistory(history, r), [TOKENS.MessageHistory, replies])
    .inSingletonScope();
  bind(TOKENS.RejectUnknownAction)
    .toResolvedValue((r) => new RejectUnknownAction(r), [replies])
    .inSingletonScope();
  bind(TOKENS.ActionRouter)
    .toResolvedValue(
      (
        sendMessage,
        joinRoom,
        leaveRoom,
        setName,
        listMembers,
        history,
        repository,
        gateway,
        reject,
        r,
        rateLimit,
        metrics,
      ) =>
        new ActionRouter(
          { sendMessage, joinRoom, leaveRoom, setName, listMembers, history },
          repository,
          gateway,
          reject,
          r,
          { rateLimit, metrics },
        ),
      [
        TOKENS.BroadcastMessage,
        TOKENS.JoinRoom,
        TOKENS.LeaveRoom,
        TOKENS.SetName,
        TOKENS.ListMembers,
        TOKENS.ReadHistory,
        connections,
        TOKENS.MessageGateway,
        TOKENS.RejectUnknownAction,
        replies,
        TOKENS.RateLimit,
        TOKENS.ChatMetrics,
      ],
    )
    .inSingletonScope();
});
