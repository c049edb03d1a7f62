import { ArnFormat, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { IAlarmAction } from 'aws-cdk-lib/aws-cloudwatch';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import type { Construct } from 'constructs';
import { needsAuthorizer } from '../src/entrypoints/authSettings.js';
import { CHAT_ENV } from '../src/entrypoints/chatSettings.js';
import { LAMBDA_ENV } from '../src/entrypoints/lambda/config.js';
import { functionSizeOf } from '../src/entrypoints/lambda/deployedLimits.js';
import {
  accessOf,
  connectionsMethodsOf,
  FANOUT_ACCESS,
  type RouteAccess,
  type RouteKey,
} from '../src/entrypoints/lambda/routeAccess.js';
import { ROUTE_HANDLERS } from '../src/entrypoints/lambda/routes.js';
import { BroadcastAlarms } from './BroadcastAlarms.js';
import { ChatFunction, type ChatFunctionProps } from './ChatFunction.js';
import { alarmActionOf, ChatMonitoring, monitoredFunctions } from './ChatMonitoring.js';
import { type ChatPageSite, publishPage } from './ChatPageSite.js';
import type { ChatContextKey, ChatStackSettings } from './ChatStackSettings.js';
import { ChatWebSocketApi } from './ChatWebSocketApi.js';
import { ConnectAuthorizer } from './ConnectAuthorizer.js';
import { ConnectionsTable } from './ConnectionsTable.js';
import { RoomsTable } from './RoomsTable.js';

export interface ChatStackProps extends StackProps {
  readonly settings: ChatStackSettings;
}

/**
 * Routes whose function delivers a message to its audience, however large: they get the broadcast
 * reservation and alarms (`addBroadcastFunction`). Presence fan-outs reach a room's json members
 * only, a bounded audience, and stay ordinary route functions.
 */
const BROADCAST_ROUTES: ReadonlySet<string> = new Set<RouteKey>(['sendMessage']);

/**
 * KMS actions DynamoDB performs on a function's behalf with a customer-managed table key: reading
 * decrypts, writing encrypts under a data key (the set CDK's own table grants use). Every route
 * that touches a table writes to it (the rate limit updates the sender's row), so one set serves all.
 */
const TABLE_KEY_ACTIONS = ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey*', 'kms:ReEncrypt*'];

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
  /** The tables' key, with `tableEncryption=customer-managed` only. */
  readonly tableKey?: Key;
  /** The alarms of every function that delivers to an audience (see `addBroadcastFunction`). */
  readonly broadcastAlarms: BroadcastAlarms[] = [];
  private readonly settings: ChatStackSettings;
  /** Where every alarm of the stack goes (`alarmTopicArn`); none: they show on the dashboard only. */
  private readonly alarmAction?: IAlarmAction;
  /** Present with `-c publishPage=true`. */
  readonly pageSite?: ChatPageSite;
  /** Takes the shares of a broadcast too large for one invocation (README "Broadcast at scale"). */
  readonly fanout: ChatFunction;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, props);
    const { settings } = props;
    this.settings = settings;
    this.alarmAction = alarmActionOf(this, settings.alarmTopicArn);
    if (settings.tableEncryption === 'customer-managed') {
      this.tableKey = new Key(this, 'TableKey', {
        description: `Encrypts the DynamoDB tables of ${this.stackName}`,
        enableKeyRotation: true,
        // A retained table is unreadable without its key; a destroyed one leaves nothing to read.
        removalPolicy: settings.tableRemovalPolicy,
      });
    }
    const tableProps = {
      removalPolicy: settings.tableRemovalPolicy,
      pointInTimeRecovery: settings.pointInTimeRecovery,
      encryptionKey: this.tableKey,
      awsManagedKey: settings.tableEncryption === 'aws-managed',
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
    this.fanout = this.fanoutFunction(settings);
    for (const [routeKey, fn] of Object.entries(this.functions)) {
      if (accessOf(routeKey).handsOff) this.allowHandingOff(fn);
    }
    this.monitoring = new ChatMonitoring(this, 'Monitoring', {
      ...this.webSocket,
      functions: monitoredFunctions({ ...this.functions, fanout: this.fanout }, this.connectAuthorizer),
      alarmAction: this.alarmAction,
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

  /**
   * A function that delivers messages to an audience of any size: sendMessage's, and any function
   * that takes a share of a broadcast (a fan-out worker is added here too). It gets
   * `broadcastReservedConcurrency` when set and the alarms of `BroadcastAlarms`.
   */
  addBroadcastFunction(id: string, props: ChatFunctionProps): ChatFunction {
    const reservedConcurrency = this.settings.broadcastReservedConcurrency;
    const fn = new ChatFunction(this, id, { ...props, reservedConcurrency });
    this.broadcastAlarms.push(
      new BroadcastAlarms(fn, 'BroadcastAlarms', {
        fn,
        timeout: props.timeout,
        reservedConcurrency,
        alarmAction: this.alarmAction,
      }),
    );
    return fn;
  }

  /**
   * The fan-out function: delivers one share of a large audience (a Scan segment, or a run of a
   * room's members), then hands what is left on by invoking itself. Its name is fixed so that the
   * message routes and the function itself can name it without a reference cycle. Lambda's own
   * retries of an asynchronous invocation are off: a share run twice would deliver twice.
   */
  private fanoutFunction(settings: ChatStackSettings): ChatFunction {
    const tables = { connections: this.connections.table, rooms: this.rooms.table };
    const fn = this.addBroadcastFunction('Fanout', {
      ...sizeOf('sendMessage'),
      handlerFile: 'fanout',
      description: 'Chat fan-out: one share of a large broadcast',
      functionName: this.fanoutFunctionName,
      environment: {
        [LAMBDA_ENV.tableName]: tables.connections.tableName,
        [LAMBDA_ENV.roomsTableName]: tables.rooms.tableName,
        ...optional(LAMBDA_ENV.maxConcurrentDeliveries, settings.broadcastConcurrency),
        ...optional(LAMBDA_ENV.pageSize, settings.connectionsPageSize),
        ...chatEnvironment(settings),
      },
      logRetention: settings.logRetention,
    });
    fn.function.configureAsyncInvoke({ retryAttempts: 0 });
    // A share pages through a Scan segment or a room's members, and removes those reported gone.
    for (const [table, actions] of [
      [tables.connections, ['dynamodb:DeleteItem', 'dynamodb:Scan']],
      [tables.rooms, ['dynamodb:BatchWriteItem', 'dynamodb:Query']],
    ] as const) {
      fn.role.addToPolicy(new PolicyStatement({ actions: [...actions], resources: [table.tableArn] }));
    }
    this.allowTableKey(fn);
    this.allowManaging(fn, FANOUT_ACCESS);
    this.allowHandingOff(fn);
    return fn;
  }

  /**
   * `<stack>-fanout`: the stack name carries the stage, so two stages never claim the same name,
   * and `stage` is bounded so that it fits Lambda's 64 characters (`readChatStackSettings`).
   */
  get fanoutFunctionName(): string {
    return `${this.stackName}-fanout`;
  }

  /** Invoking the fan-out function (by name, asynchronously) and nothing else. */
  private allowHandingOff(fn: ChatFunction): void {
    fn.function.addEnvironment(LAMBDA_ENV.fanoutFunctionName, this.fanoutFunctionName);
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: ['lambda:InvokeFunction'],
        resources: [
          this.formatArn({
            service: 'lambda',
            resource: 'function',
            resourceName: this.fanoutFunctionName,
            arnFormat: ArnFormat.COLON_RESOURCE_NAME,
          }),
        ],
      }),
    );
  }

  /** The function of one route, sized and configured for it, with its DynamoDB grants. */
  private routeFunction(routeKey: string, handlerFile: string, settings: ChatStackSettings): ChatFunction {
    const access = accessOf(routeKey);
    const tables = { connections: this.connections.table, rooms: this.rooms.table };
    const create = BROADCAST_ROUTES.has(routeKey)
      ? (id: string, props: ChatFunctionProps) => this.addBroadcastFunction(id, props)
      : (id: string, props: ChatFunctionProps) => new ChatFunction(this, id, props);
    const fn = create(functionIdOf(routeKey), {
      ...sizeOf(routeKey),
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
    if (access.connections.length + access.rooms.length > 0) this.allowTableKey(fn);
    return fn;
  }

  /** With a customer-managed table key: its use through DynamoDB, and only through DynamoDB. */
  private allowTableKey(fn: ChatFunction): void {
    if (this.tableKey === undefined) return;
    fn.role.addToPolicy(
      new PolicyStatement({
        actions: TABLE_KEY_ACTIONS,
        resources: [this.tableKey.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${this.region}.amazonaws.com` } },
      }),
    );
    for (const action of TABLE_KEY_ACTIONS.filter((name) => name.endsWith('*'))) {
      Validations.of(fn.role).acknowledge({
        id: `AwsSolutions-IAM5[Action::${action}]`,
        reason:
          "The variants DynamoDB calls KMS with on the caller's behalf (as CDK's own table grants list " +
          'them), on the one table key, and only through DynamoDB (kms:ViaService).',
      });
    }
  }

  /**
   * Posting needs the management endpoint and `POST @connections/{id}` on this stage only, cutting
   * a flooding client `DELETE @connections/{id}`. The endpoint is set explicitly: the one derived
   * from the event breaks behind a custom domain.
   */
  private allowManaging(fn: ChatFunction, access: RouteAccess): void {
    const methods = connectionsMethodsOf(access);
    if (methods.length === 0) return;
    const { api, stage } = this.webSocket;
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

/** A route's function size (shared with the local API Gateway, which enforces the same timeouts). */
function sizeOf(routeKey: string): { memorySize: number; timeout: Duration } {
  const { memoryMb, timeoutSeconds } = functionSizeOf(routeKey);
  return { memorySize: memoryMb, timeout: Duration.seconds(timeoutSeconds) };
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
