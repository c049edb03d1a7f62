import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceIdentifier } from 'inversify';
import type { ApiGatewayMessageGateway } from '../adapters/apigateway/index.js';
import type { WsChatServer, WsMessageGateway } from '../adapters/ws/index.js';
import type {
  ActionRouter,
  BroadcastMessage,
  BroadcastOptions,
  JoinChat,
  LeaveChat,
  RejectUnknownAction,
} from '../application/index.js';
import type { ConnectionRepository, MessageGateway } from '../domain/index.js';
import type { LambdaConfig } from './lambda/config.js';
import type { ServerConfig } from './server/config.js';

const token = <T>(name: string) => Symbol.for(name) as ServiceIdentifier<T>;

/** Every inversify token of the project, in one place. */
export const TOKENS = {
  // The ports and the core.
  ConnectionRepository: token<ConnectionRepository>('ConnectionRepository'),
  MessageGateway: token<MessageGateway>('MessageGateway'),
  BroadcastOptions: token<BroadcastOptions>('BroadcastOptions'),
  JoinChat: token<JoinChat>('JoinChat'),
  LeaveChat: token<LeaveChat>('LeaveChat'),
  BroadcastMessage: token<BroadcastMessage>('BroadcastMessage'),
  RejectUnknownAction: token<RejectUnknownAction>('RejectUnknownAction'),
  ActionRouter: token<ActionRouter>('ActionRouter'),
  // The server (standalone and cluster).
  ServerConfig: token<ServerConfig>('ServerConfig'),
  WsMessageGateway: token<WsMessageGateway>('WsMessageGateway'),
  WsChatServer: token<WsChatServer>('WsChatServer'),
  // The Lambda handlers.
  LambdaConfig: token<LambdaConfig>('LambdaConfig'),
  DocumentClient: token<DynamoDBDocumentClient>('DynamoDBDocumentClient'),
  ApiGatewayMessageGateway: token<ApiGatewayMessageGateway>('ApiGatewayMessageGateway'),
} as const;
