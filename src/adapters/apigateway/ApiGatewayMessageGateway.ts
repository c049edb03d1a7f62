import { AsyncLocalStorage } from 'node:async_hooks';
import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import type { ConnectionId, Delivery, MessageGateway } from '../../domain/index.js';
import { backoffMs, DEFAULT_RETRY_POLICY, isRetryable, type RetryPolicy, statusOf } from './RetryPolicy.js';

export interface ApiGatewayClientOptions {
  /** Region; the SDK reads the standard AWS variables when absent. */
  readonly region?: string;
  /** Sockets kept open to each endpoint; at least the broadcast's concurrency bound. */
  readonly maxSockets?: number;
  /** Fixed credentials (local endpoints); the SDK's default chain when absent. */
  readonly credentials?: { readonly accessKeyId: string; readonly secretAccessKey: string };
}

/** A Management API client with keep-alive agents, meant to be created once per endpoint and reused. */
export function createApiGatewayClient(
  endpoint: string,
  { region, maxSockets = 64, credentials }: ApiGatewayClientOptions = {},
): ApiGatewayManagementApiClient {
  // noDelay: a post is one small write; Nagle would hold it back behind the previous one's ACK.
  const agentOptions = { keepAlive: true, maxSockets, noDelay: true };
  return new ApiGatewayManagementApiClient({
    endpoint,
    ...(region === undefined ? {} : { region }),
    ...(credentials === undefined ? {} : { credentials }),
    // The gateway retries throttled and failed posts itself: the SDK's own retries draw on a
    // per-client token bucket that a broadcast throttled by the account quota empties within
    // a hundred retries, after which nothing is retried at all.
    maxAttempts: 1,
    // A post that hangs would otherwise hold its slot of the broadcast until the Lambda times out.
    requestHandler: {
      httpAgent: new HttpAgent(agentOptions),
      httpsAgent: new HttpsAgent(agentOptions),
      connectionTimeout: 2000,
      requestTimeout: 5000,
    },
  });
}

export interface ApiGatewayMessageGatewayOptions extends ApiGatewayClientOptions {
  /**
   * The Management API endpoint (`https://{domainName}/{stage}`, or a custom domain's) posts
   * go to, unless `within` names the one of the event being handled.
   */
  readonly endpoint?: string;
  /** Retries of a post answered 429 or 5xx; `DEFAULT_RETRY_POLICY` where absent. */
  readonly retry?: RetryPolicy;
}

/** What the gateway has done so far, for the invocation's log line and for tests. */
export interface ApiGatewayStats {
  /** Posts tried again after a 429. */
  throttledRetries: number;
  /** Posts tried again after a 5xx. */
  failedRetries: number;
  /** Posts given up on once the retry policy was spent (or answered a status never retried). */
  undelivered: number;
}

/**
 * Delivers through API Gateway's Management API (`PostToConnection`), with one keep-alive client
 * per endpoint, reused across invocations. A connection API Gateway no longer knows (410
 * `GoneException`) is reported gone. A post throttled (429, the account's `@connections` quota)
 * or failed by the service (5xx) is retried with capped, jittered exponential backoff, bounded in
 * tries and in time; what still fails propagates, and the broadcast counts it.
 */
export class ApiGatewayMessageGateway implements MessageGateway {
  private readonly clients = new Map<string, ApiGatewayManagementApiClient>();
  private readonly scope = new AsyncLocalStorage<string>();
  private readonly retry: RetryPolicy;
  readonly stats: ApiGatewayStats = { throttledRetries: 0, failedRetries: 0, undelivered: 0 };

  constructor(
    private readonly options: ApiGatewayMessageGatewayOptions = {},
    private readonly clientFor = (endpoint: string) => createApiGatewayClient(endpoint, options),
  ) {
    this.retry = options.retry ?? DEFAULT_RETRY_POLICY;
    if (!Number.isInteger(this.retry.maxAttempts) || this.retry.maxAttempts < 1) {
      throw new RangeError('retry.maxAttempts must be a positive integer');
    }
  }

  /** Runs `work` with its posts addressed to `endpoint`: the API and stage an event came through. */
  within<T>(endpoint: string, work: () => Promise<T>): Promise<T> {
    return this.scope.run(endpoint, work);
  }

  /** The endpoint posts go to here and now: the event's, else the fixed one. */
  endpoint(): string | undefined {
    return this.scope.getStore() ?? this.options.endpoint;
  }

  async post(to: ConnectionId, frame: string): Promise<Delivery> {
    const client = this.client();
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        await client.send(new PostToConnectionCommand({ ConnectionId: to, Data: frame }));
        return 'delivered';
      } catch (error) {
        if (isGone(error)) return 'gone';
        const wait = backoffMs(this.retry, attempt);
        const spent = attempt >= this.retry.maxAttempts || Date.now() - started + wait > this.retry.maxTotalMs;
        if (!isRetryable(error) || spent) {
          this.stats.undelivered++;
          throw error;
        }
        if (statusOf(error) === 429) this.stats.throttledRetries++;
        else this.stats.failedRetries++;
        await new Promise((resolve) => setTimeout(resolve, wait));
      }
    }
  }

  /** `DeleteConnection`: API Gateway closes the socket (it picks the code) and runs `$disconnect`. */
  async disconnect(to: ConnectionId): Promise<void> {
    try {
      await this.client().send(new DeleteConnectionCommand({ ConnectionId: to }));
    } catch (error) {
      if (!isGone(error)) throw error;
    }
  }

  /** Closes every client's sockets. */
  destroy(): void {
    for (const client of this.clients.values()) client.destroy();
    this.clients.clear();
  }

  private client(): ApiGatewayManagementApiClient {
    const endpoint = this.endpoint();
    if (endpoint === undefined) throw new RangeError('no Management API endpoint for this post');
    let client = this.clients.get(endpoint);
    if (client === undefined) {
      client = this.clientFor(endpoint);
      this.clients.set(endpoint, client);
    }
    return client;
  }
}

/** By class or by status: a bundled or duplicated SDK may not share the class identity. */
function isGone(error: unknown): boolean {
  if (error instanceof GoneException) return true;
  return statusOf(error) === 410;
}
