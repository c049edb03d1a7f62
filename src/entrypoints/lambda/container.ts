import type { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { LambdaClient } from '@aws-sdk/client-lambda';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayEventWebsocketRequestContextV2 } from 'aws-lambda';
import { Container, ContainerModule } from 'inversify';
import { ApiGatewayMessageGateway } from '../../adapters/apigateway/index.js';
import {
  DynamoDbAudienceParts,
  DynamoDbConnectionRepository,
  DynamoDbMessageHistory,
} from '../../adapters/dynamodb/index.js';
import { LambdaDeliveryHandoff } from '../../adapters/lambda/index.js';
import { PowertoolsChatMetrics } from '../../adapters/powertools/index.js';
import type { ActionRouter, Fanout, FanoutHandoff, JoinChat, LeaveChat, Replies } from '../../application/index.js';
import { coreModule } from '../coreModule.js';
import { TOKENS } from '../tokens.js';
import type { LambdaConfig } from './config.js';
import { functionSizeOf } from './deployedLimits.js';
import { createLambdaLogger, createLambdaMetrics } from './observability.js';

/** The table, the Management API and the broadcast bound, as the Lambda environment sets them. */
const awsModule = new ContainerModule(({ bind }) => {
  bind(TOKENS.DocumentClient)
    .toResolvedValue(
      (config) =>
        DynamoDBDocumentClient.from(
          new DynamoDBClient(config.dynamoDbEndpoint === undefined ? {} : { endpoint: config.dynamoDbEndpoint }),
        ),
      [TOKENS.LambdaConfig],
    )
    .inSingletonScope();
  bind(TOKENS.ConnectionRepository)
    .toResolvedValue(
      (client, config) =>
        new DynamoDbConnectionRepository(client, {
          tableName: config.tableName,
          roomsTableName: config.roomsTableName,
          pageSize: config.pageSize,
          ttlSeconds: config.ttlSeconds,
        }),
      [TOKENS.DocumentClient, TOKENS.LambdaConfig],
    )
    .inSingletonScope();
  bind(TOKENS.MessageHistory)
    .toResolvedValue(
      (client, config) =>
        new DynamoDbMessageHistory(client, {
          tableName: config.roomsTableName,
          ...config.chat.retention,
          // A message is numbered and stored within one sendMessage invocation; 5 s for a request in flight.
          writeTimeoutMs: functionSizeOf('sendMessage').timeoutSeconds * 1000 + 5000,
        }),
      [TOKENS.DocumentClient, TOKENS.LambdaConfig],
    )
    .inSingletonScope();
  bind(TOKENS.ApiGatewayMessageGateway)
    .toResolvedValue(
      // More sockets than the bound: the broadcast's own limit, not the pool, caps posts in flight.
      (config) => new ApiGatewayMessageGateway({ maxSockets: Math.max(50, config.maxConcurrentDeliveries) }),
      [TOKENS.LambdaConfig],
    )
    .inSingletonScope();
  bind(TOKENS.MessageGateway).toService(TOKENS.ApiGatewayMessageGateway);
  bind(TOKENS.FanoutOptions)
    .toResolvedValue(
      (config, metrics, client, gateway) => {
        const handoff = config.fanout === undefined ? undefined : fanoutHandoff(config, client, gateway);
        return { maxConcurrentDeliveries: config.maxConcurrentDeliveries, metrics, ...(handoff ? { handoff } : {}) };
      },
      [TOKENS.LambdaConfig, TOKENS.ChatMetrics, TOKENS.DocumentClient, TOKENS.ApiGatewayMessageGateway],
    )
    .inSingletonScope();
  bind(TOKENS.ChatLimits)
    .toResolvedValue((config) => config.chat.limits, [TOKENS.LambdaConfig])
    .inSingletonScope();
  bind(TOKENS.PowertoolsChatMetrics)
    .toResolvedValue(
      (config) => new PowertoolsChatMetrics(createLambdaMetrics(config.observability)),
      [TOKENS.LambdaConfig],
    )
    .inSingletonScope();
  bind(TOKENS.ChatMetrics).toService(TOKENS.PowertoolsChatMetrics);
  bind(TOKENS.RateLimit)
    .toResolvedValue((config) => config.chat.rateLimit, [TOKENS.LambdaConfig])
    .inSingletonScope();
});

/**
 * Large audiences cut into DynamoDB parts and handed to the fan-out function by asynchronous
 * invocation; each payload carries the Management API endpoint of the event that started it.
 */
function fanoutHandoff(
  config: LambdaConfig,
  client: DynamoDBDocumentClient,
  gateway: ApiGatewayMessageGateway,
): FanoutHandoff | undefined {
  const fanout = config.fanout;
  if (fanout === undefined) return undefined;
  const lambda = new LambdaClient(fanout.lambdaEndpoint === undefined ? {} : { endpoint: fanout.lambdaEndpoint });
  return {
    threshold: fanout.threshold,
    marginMs: fanout.marginMs,
    parts: new DynamoDbAudienceParts(client, {
      tableName: config.tableName,
      roomsTableName: config.roomsTableName,
      segments: fanout.segments,
      roomPartSize: fanout.roomPartSize,
      pageSize: config.pageSize,
    }),
    workers: new LambdaDeliveryHandoff(lambda, {
      functionName: fanout.functionName,
      envelope: () => ({ endpoint: gateway.endpoint() }),
    }),
  };
}

/** The Management API endpoint an event's posts go to: the override, else its domain and stage. */
export function managementEndpointOf(config: LambdaConfig, context: APIGatewayEventWebsocketRequestContextV2): string {
  return config.managementEndpoint ?? `https://${context.domainName}/${context.stage}`;
}

/** What a handler needs of the core, resolved once per execution environment. */
export interface LambdaChat {
  readonly config: LambdaConfig;
  readonly join: JoinChat;
  readonly leave: LeaveChat;
  readonly router: ActionRouter;
  readonly fanout: Fanout;
  readonly replies: Replies;
  readonly gateway: ApiGatewayMessageGateway;
  /** Runs `work` with its posts addressed to `endpoint` (a handed-off part's). */
  withinEndpoint<T>(endpoint: string | undefined, work: () => Promise<T>): Promise<T>;
  /** Every line of an invocation carries its request id and cold-start flag (see `webSocketHandler`). */
  readonly logger: Logger;
  /** What the core reported while an invocation ran, written out once at its end. */
  readonly metrics: PowertoolsChatMetrics;
  /** Runs an event's work with its posts addressed to the API and stage it came through. */
  within<T>(context: APIGatewayEventWebsocketRequestContextV2, work: () => Promise<T>): Promise<T>;
}

/**
 * The handlers' composition root, built once per execution environment (module scope): one
 * container, one table client, one gateway holding a keep-alive client per endpoint.
 */
export function createLambdaChat(config: LambdaConfig): LambdaChat {
  const container = new Container();
  container.bind(TOKENS.LambdaConfig).toConstantValue(config);
  container.load(awsModule, coreModule);
  const gateway = container.get(TOKENS.ApiGatewayMessageGateway);
  return {
    config,
    join: container.get(TOKENS.JoinChat),
    leave: container.get(TOKENS.LeaveChat),
    router: container.get(TOKENS.ActionRouter),
    fanout: container.get(TOKENS.Fanout),
    replies: container.get(TOKENS.Replies),
    gateway,
    withinEndpoint: (endpoint, work) => (endpoint === undefined ? work() : gateway.within(endpoint, work)),
    logger: createLambdaLogger(config.observability),
    metrics: container.get(TOKENS.PowertoolsChatMetrics),
    within: (context, work) => gateway.within(managementEndpointOf(config, context), work),
  };
}
