import { ArnFormat, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { needsAuthorizer } from '../src/entrypoints/authSettings.js';
import { CHAT_ENV } from '../src/entrypoints/chatSettings.js';
import { LAMBDA_ENV } from '../src/entrypoints/lambda/config.js';
import { ROUTE_HANDLERS } from '../src/entrypoints/lambda/routes.js';
import { ChatFunction } from './ChatFunction.js';
import { alarmActionOf, ChatMonitoring, monitoredFunctions } from './ChatMonitoring.js';
import { type ChatPageSite, publishPage } from './ChatPageSite.js';
import type { ChatContextKey, ChatStackSettings } from './ChatStackSettings.js';
import { ChatWebSocketApi } from './ChatWebSocketApi.js';
import { ConnectAuthorizer } from './ConnectAuthorizer.js';
import { ConnectionsTable } from './ConnectionsTable.js';
import { RoomsTable } from './RoomsTable.js';
import { accessOf, type RouteAccess, type RouteKey } from './routeAccess.js';

export interface ChatStackProps extends StackProps {
  readonly settings: ChatStackSettings;
}

interface FunctionSize {
  readonly memorySize: number;
  readonly timeout: Duration;
}

// A few DynamoDB calls and a post or two: 256 MB gives enough CPU for a quick cold start (SDK
// client setup) at the smallest bill; 10 s covers SDK retries, well inside API Gateway's 29 s.
const SMALL: FunctionSize = { memorySize: 256, timeout: Duration.seconds(10) };

/** Routes that need more than `SMALL`. */
const SIZES: Partial<Record<RouteKey, FunctionSize>> = {
  // A message pages through its whole audience and posts to every member with bounded
  // concurrency: CPU grows with memory, and signing and TLS for dozens of parallel posts is CPU
  // work, hence 512 MB; 60 s so that a large audience is fully served even after API Gateway
  // stops waiting at 29 s (the client gets nothing from the integration response, only the
  // posted frames).
  sendMessage: { memorySize: 512, timeout: Duration.seconds(60) },
  // Presence reaches only a room's json members, a small frame: 256 MB. But a room has no member
  // cap, and $disconnect tells each of up to 50 rooms in turn; a function stopped at 10 s leaves
  // the rest of the rooms untold and gone connections unswept. A timeout costs nothing until it
  // is used, so these get the same 60 s as a message.
  joinRoom: { memorySize: 256, timeout: Duration.seconds(60) },
  leaveRoom: { memorySize: 256, timeout: Duration.seconds(60) },
  $disconnect: { memorySize: 256, timeout: Duration.seconds(60) },
};

/**
 * The chat on AWS: API Gateway WebSocket API -> one Lambda per route of `ROUTE_HANDLERS` ->
 * DynamoDB connections and rooms tables, with delivery through the stage's management API. Each
 * function gets exactly the grants `ROUTE_ACCESS` lists for its route, on these tables and this
 * stage only. With access settings, a Lambda REQUEST authorizer decides on `$connect` who may
 * connect, before the `$connect` function runs.
 */
export class ChatStack extends Stack {
  readonly connections: ConnectionsTable;
  readonly rooms: RoomsTable;
  /** Each route's function, by route key. */
  readonly functions: Readonly<Record<string, ChatFunction>>;
  readonly webSocket: ChatWebSocketApi;
  /** Present when tokens are checked or origins limited (see `needsAuthorizer`). */
  readonly connectAuthorizer?: ConnectAuthorizer;
  readonly monitoring: ChatMonitoring;
  /** Present with `-c publishPage=true`. */
  readonly pageSite?: ChatPageSite;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const tableProps = {
      removalPolicy: settings.tableRemovalPolicy,
      pointInTimeRecovery: settings.pointInTimeRecovery,
    };
    this.connections = new ConnectionsTable(this, 'Connections', tableProps);
    this.rooms = new RoomsTable(this, 'Rooms', tableProps);
    this.functions = Object.fromEntries(
      Object.entries(ROUTE_HANDLERS).map(([routeKey, handlerFile]) => [
        routeKey,
        this.routeFunction(routeKey, handlerFile, settings),
      ]),
    );
    if (needsAuthorizer({ mode: settings.authMode, allowedOrigins: settings.allowedOrigins })) {
      this.connectAuthorizer = new ConnectAuthorizer(this, 'ConnectAuthorizer', {
        access: settings,
        logRetention: settings.logRetention,
      });
    }
    this.webSocket = new ChatWebSocketApi(this, 'WebSocket', {
      routes: Object.entries(this.functions).map(([routeKey, fn]) => ({
        routeKey,
        id: idStemOf(routeKey),
        handler: fn.function,
      })),
      connectAuthorizer: this.connectAuthorizer?.authorizer,
      stageName: settings.stageName,
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
      logRetention: settings.logRetention,
      createCloudWatchRole: settings.apiGatewayCloudWatchRole,
    });
    for (const [routeKey, fn] of Object.entries(this.functions)) this.allowManaging(fn, accessOf(routeKey));
    this.monitoring = new ChatMonitoring(this, 'Monitoring', {
      ...this.webSocket,
      functions: monitoredFunctions(this.functions, this.connectAuthorizer),
      alarmAction: alarmActionOf(this, settings.alarmTopicArn),
    });
    if (settings.publishPage) this.pageSite = publishPage(this, this.webSocket);

    const { stage } = this.webSocket;
    new CfnOutput(this, 'WebSocketUrl', {
      description: 'Connect chat clients here, e.g. npx wscat -c <url>',
      value: stage.url,
    });
    new CfnOutput(this, 'ManagementEndpoint', {
      description: 'API Gateway management API (postToConnection) of the stage',
      value: stage.callbackUrl,
    });
    new CfnOutput(this, 'ConnectionsTableName', { value: this.connections.table.tableName });
    new CfnOutput(this, 'RoomsTableName', { value: this.rooms.table.tableName });
  }

  /** The function of one route, sized and configured for it, with its DynamoDB grants. */
  private routeFunction(routeKey: string, handlerFile: string, settings: ChatStackSettings): ChatFunction {
    const access = accessOf(routeKey);
    const tables = { connections: this.connections.table, rooms: this.rooms.table };
    const fn = new ChatFunction(this, functionIdOf(routeKey), {
      ...(SIZES[routeKey as RouteKey] ?? SMALL),
      handlerFile,
      description: `Chat ${routeKey} route (${handlerFile} handler)`,
      environment: {
        [LAMBDA_ENV.tableName]: tables.connections.tableName,
        [LAMBDA_ENV.roomsTableName]: tables.rooms.tableName,
        ...(access.fansOut ? optional(LAMBDA_ENV.maxConcurrentDeliveries, settings.broadcastConcurrency) : {}),
        ...(access.fansOut ? optional(LAMBDA_ENV.pageSize, settings.connectionsPageSize) : {}),
        ...chatEnvironment(settings),
      },
      logRetention: settings.logRetention,
    });
    // The tables' own ARNs: they have no index, and no action here needs one.
    for (const [table, actions] of [
      [tables.connections, access.connections],
      [tables.rooms, access.rooms],
    ] as const) {
      if (actions.length === 0) continue;
      fn.role.addToPolicy(new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
    }
    return fn;
  }

  /**
   * Posting needs the management endpoint and `POST @connections/{id}` on this stage only, cutting
   * a flooding client `DELETE @connections/{id}`. The endpoint is set explicitly: the one derived
   * from the event breaks behind a custom domain.
   */
  private allowManaging(fn: ChatFunction, access: RouteAccess): void {
    if (!access.posts) return;
    const { api, stage } = this.webSocket;
    const methods = access.disconnects ? ['POST', 'DELETE'] : ['POST'];
    const arnOf = (method: string) =>
      this.formatArn({
        service: 'execute-api',
        resource: api.apiId,
        resourceName: `${stage.stageName}/${method}/@connections/*`,
        arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
      });
    fn.role.addToPolicy(
      new PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: methods.map(arnOf) }),
    );
    fn.function.addEnvironment(LAMBDA_ENV.managementEndpoint, stage.callbackUrl);
    const apiLogicalId = this.getLogicalId(api.node.defaultChild as CfnApi);
    for (const method of methods) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${stage.stageName}/${method}/@connections/*]`,
        reason:
          'Connection ids are created at runtime, so the ARN ends in a wildcard; it is already ' +
          `limited to ${method} on the @connections of this API and stage, the narrowest ARN there is.`,
      });
    }
  }
}

/** `$connect` -> `Connect`, `sendMessage` -> `SendMessage`: the construct ids of a route. */
function idStemOf(routeKey: string): string {
  const name = routeKey.replace(/^\$/, '');
  return name.charAt(0).toUpperCase() + name.slice(1);
}

/** `Default` is the id CDK takes for a scope's default child and drops from logical ids. */
function functionIdOf(routeKey: string): string {
  const stem = idStemOf(routeKey);
  return stem === 'Default' ? 'DefaultRoute' : stem;
}

/**
 * The chat settings the operator set, for every route's function: each bundle builds the whole
 * core and reads all of `CHAT_ENV` at start, so two routes can never run on different limits.
 */
function chatEnvironment(settings: ChatStackSettings): Record<string, string> {
  return Object.assign(
    {},
    ...Object.entries(settings.chat).map(([key, value]) => optional(CHAT_ENV[key as ChatContextKey], value)),
  );
}

/** `{ name: value }` when the operator set a value, otherwise nothing (the handler's default). */
function optional(name: string, value: number | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: String(value) };
}
