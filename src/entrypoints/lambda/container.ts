import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { APIGatewayEventWebsocketRequestContextV2 } from 'aws-lambda';
import { Container, ContainerModule, type ServiceIdentifier } from 'inversify';
import { ApiGatewayMessageGateway, createApiGatewayClient } from '../../adapters/apigateway/index.js';
import { DynamoDbConnectionRepository } from '../../adapters/dynamodb/index.js';
import { coreModule } from '../coreModule.js';
import { TOKENS } from '../tokens.js';
import type { LambdaConfig } from './config.js';

const LAMBDA_TOKENS = {
  Config: Symbol.for('LambdaConfig') as ServiceIdentifier<LambdaConfig>,
  DocumentClient: Symbol.for('DynamoDBDocumentClient') as ServiceIdentifier<DynamoDBDocumentClient>,
} as const;

/** What does not depend on the API the event came through: the table and the broadcast bound. */
const dynamoDbModule = new ContainerModule(({ bind }) => {
  bind(LAMBDA_TOKENS.DocumentClient)
    .toResolvedValue(
      (config) =>
        DynamoDBDocumentClient.from(
          new DynamoDBClient(config.dynamoDbEndpoint === undefined ? {} : { endpoint: config.dynamoDbEndpoint }),
        ),
      [LAMBDA_TOKENS.Config],
    )
    .inSingletonScope();
  bind(TOKENS.ConnectionRepository)
    .toResolvedValue(
      (client, config) =>
        new DynamoDbConnectionRepository(client, {
          tableName: config.tableName,
          pageSize: config.pageSize,
          ttlSeconds: config.ttlSeconds,
        }),
      [LAMBDA_TOKENS.DocumentClient, LAMBDA_TOKENS.Config],
    )
    .inSingletonScope();
  bind(TOKENS.BroadcastOptions)
    .toResolvedValue((config) => ({ maxConcurrentDeliveries: config.maxConcurrentDeliveries }), [LAMBDA_TOKENS.Config])
    .inSingletonScope();
});

/** The Management API endpoint an event's replies go to: the override, else its domain and stage. */
export function managementEndpointOf(config: LambdaConfig, context: APIGatewayEventWebsocketRequestContextV2): string {
  return config.managementEndpoint ?? `https://${context.domainName}/${context.stage}`;
}

/**
 * The handlers' composition root, built once per execution environment (module scope). The
 * table client lives in the root container; each Management API endpoint gets a child
 * container, built on first use and kept, holding that endpoint's one keep-alive client and the
 * use cases wired to it.
 */
export class LambdaContainer {
  private readonly root = new Container();
  private readonly byEndpoint = new Map<string, Container>();

  constructor(readonly config: LambdaConfig) {
    this.root.bind(LAMBDA_TOKENS.Config).toConstantValue(config);
    this.root.load(dynamoDbModule);
  }

  /** The container serving events of this request context. */
  for(context: APIGatewayEventWebsocketRequestContextV2): Container {
    const endpoint = managementEndpointOf(this.config, context);
    let child = this.byEndpoint.get(endpoint);
    if (child === undefined) {
      child = new Container({ parent: this.root });
      // More sockets than the bound: the broadcast's own limit, not the pool, caps posts in flight.
      const maxSockets = Math.max(50, this.config.maxConcurrentDeliveries);
      const client = createApiGatewayClient({ endpoint, maxSockets });
      child.bind(TOKENS.MessageGateway).toConstantValue(new ApiGatewayMessageGateway(client));
      child.load(coreModule);
      this.byEndpoint.set(endpoint, child);
    }
    return child;
  }
}
