import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionId, Delivery, MessageGateway } from '../../domain/index.js';

export interface ApiGatewayClientOptions {
  /** Management API endpoint: `https://{domainName}/{stage}`, or a custom domain's equivalent. */
  readonly endpoint: string;
  /** Region; the SDK reads the standard AWS variables when absent. */
  readonly region?: string;
  /** Sockets kept open to the endpoint; match the broadcast's concurrency bound. */
  readonly maxSockets?: number;
  /** Fixed credentials (local endpoints); the SDK's default chain when absent. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/**
 * A Management API client with keep-alive agents, meant to be created once per endpoint and
 * reused across invocations.
 */
export function createApiGatewayClient({
  endpoint,
  region,
  maxSockets = 64,
  credentials,
}: ApiGatewayClientOptions): ApiGatewayManagementApiClient {
  // noDelay: a post is one small write; Nagle would hold it back behind the previous one's ACK.
  const agentOptions = { keepAlive: true, maxSockets, noDelay: true };
  return new ApiGatewayManagementApiClient({
    endpoint,
    ...(region === undefined ? {} : { region }),
    ...(credentials === undefined ? {} : { credentials }),
    requestHandler: { httpAgent: new HttpAgent(agentOptions), httpsAgent: new HttpsAgent(agentOptions) },
  });
}

/**
 * Delivers through API Gateway's Management API (`PostToConnection`). A connection API Gateway
 * no longer knows (410 `GoneException`) is reported gone; every other failure propagates.
 */
export class ApiGatewayMessageGateway implements MessageGateway {
  constructor(private readonly client: ApiGatewayManagementApiClient) {}

  async post(to: ConnectionId, frame: string): Promise<Delivery> {
    try {
      await this.client.send(new PostToConnectionCommand({ ConnectionId: to, Data: frame }));
      return 'delivered';
    } catch (error) {
      if (isGone(error)) return 'gone';
      throw error;
    }
  }
}

/** By class or by status: a bundled or duplicated SDK may not share the class identity. */
function isGone(error: unknown): boolean {
  if (error instanceof GoneException) return true;
  const metadata = (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata;
  return metadata?.httpStatusCode === 410;
}
