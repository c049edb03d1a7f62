import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { ServiceIdentifier } from 'inversify';
import type { ApiGatewayMessageGateway } from '../adapters/apigateway/index.js';
import type { PowertoolsChatMetrics } from '../adapters/powertools/index.js';
import type { PrometheusChatMetrics } from '../adapters/prometheus/index.js';
import type { WsChatServer, WsMessageGateway } from '../adapters/ws/index.js';
import type {
  ActionRouter,
  AuthorizeConnection,
  BroadcastMessage,
  ChatLimits,
  Fanout,
  FanoutOptions,
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
import type { ChatMetrics, ConnectionRepository, MessageGateway, MessageHistory, RateLimit } from '../domain/index.js';
import type { LambdaConfig } from './lambda/config.js';
import type { ServerConfig } from './server/config.js';

const token = <T>(name: string) => Symbol.for(name) as ServiceIdentifier<T>;

/** Every inversify token of the project, in one place. */
export const TOKENS = {
  // The ports, their settings, and the core.
  ConnectionRepository: token<ConnectionRepository>('ConnectionRepository'),
  MessageGateway: token<MessageGateway>('MessageGateway'),
  MessageHistory: token<MessageHistory>('MessageHistory'),
  FanoutOptions: token<FanoutOptions>('FanoutOptions'),
  ChatLimits: token<ChatLimits>('ChatLimits'),
  RateLimit: token<RateLimit>('RateLimit'),
  ChatMetrics: token<ChatMetrics>('ChatMetrics'),
  AuthorizeConnection: token<AuthorizeConnection>('AuthorizeConnection'),
  Fanout: token<Fanout>('Fanout'),
  Replies: token<Replies>('Replies'),
  JoinChat: token<JoinChat>('JoinChat'),
  LeaveChat: token<LeaveChat>('LeaveChat'),
  BroadcastMessage: token<BroadcastMessage>('BroadcastMessage'),
  JoinRoom: token<JoinRoom>('JoinRoom'),
  LeaveRoom: token<LeaveRoom>('LeaveRoom'),
  SetName: token<SetName>('SetName'),
  ListMembers: token<ListMembers>('ListMembers'),
  ReadHistory: token<ReadHistory>('ReadHistory'),
  RejectUnknownAction: token<RejectUnknownAction>('RejectUnknownAction'),
  ActionRouter: token<ActionRouter>('ActionRouter'),
  // The server (standalone and cluster).
  ServerConfig: token<ServerConfig>('ServerConfig'),
  WsMessageGateway: token<WsMessageGateway>('WsMessageGateway'),
  WsChatServer: token<WsChatServer<unknown>>('WsChatServer'),
  PrometheusChatMetrics: token<PrometheusChatMetrics>('PrometheusChatMetrics'),
  // The Lambda handlers.
  LambdaConfig: token<LambdaConfig>('LambdaConfig'),
  DocumentClient: token<DynamoDBDocumentClient>('DynamoDBDocumentClient'),
  ApiGatewayMessageGateway: token<ApiGatewayMessageGateway>('ApiGatewayMessageGateway'),
  PowertoolsChatMetrics: token<PowertoolsChatMetrics>('PowertoolsChatMetrics'),
} as const;
