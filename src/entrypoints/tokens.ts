import type { ServiceIdentifier } from 'inversify';
import type {
  ActionRouter,
  BroadcastMessage,
  BroadcastOptions,
  JoinChat,
  LeaveChat,
  RejectUnknownAction,
} from '../application/index.js';
import type { ConnectionRepository, MessageGateway } from '../domain/index.js';

/** Every inversify token of the project, in one place. */
export const TOKENS = {
  ConnectionRepository: Symbol.for('ConnectionRepository') as ServiceIdentifier<ConnectionRepository>,
  MessageGateway: Symbol.for('MessageGateway') as ServiceIdentifier<MessageGateway>,
  BroadcastOptions: Symbol.for('BroadcastOptions') as ServiceIdentifier<BroadcastOptions>,
  JoinChat: Symbol.for('JoinChat') as ServiceIdentifier<JoinChat>,
  LeaveChat: Symbol.for('LeaveChat') as ServiceIdentifier<LeaveChat>,
  BroadcastMessage: Symbol.for('BroadcastMessage') as ServiceIdentifier<BroadcastMessage>,
  RejectUnknownAction: Symbol.for('RejectUnknownAction') as ServiceIdentifier<RejectUnknownAction>,
  ActionRouter: Symbol.for('ActionRouter') as ServiceIdentifier<ActionRouter>,
} as const;
