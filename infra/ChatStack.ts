import { ArnFormat, CfnOutput, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Construct } from 'constructs';
import { LAMBDA_ENV } from '../src/entrypoints/lambda/config.js';
import { ChatFunction } from './ChatFunction.js';
import type { ChatStackSettings } from './ChatStackSettings.js';
import { ChatWebSocketApi } from './ChatWebSocketApi.js';
import { ConnectionsTable } from './ConnectionsTable.js';
import { RoomsTable } from './RoomsTable.js';

export interface ChatStackProps extends StackProps {
  readonly settings: ChatStackSettings;
}

/**
 * The chat on AWS: API Gateway WebSocket API -> one Lambda per route -> DynamoDB connections and
 * rooms tables, with delivery through the stage's management API. Each function gets exactly the
 * DynamoDB actions its use case performs, on these tables only.
 */
export class ChatStack extends Stack {
  readonly connections: ConnectionsTable;
  readonly rooms: RoomsTable;
  readonly functions: Readonly<Record<'connect' | 'disconnect' | 'default' | 'sendMessage', ChatFunction>>;
  readonly webSocket: ChatWebSocketApi;

  constructor(scope: Construct, id: string, props: ChatStackProps) {
    super(scope, id, props);
    const { settings } = props;
    const tableProps = {
      removalPolicy: settings.tableRemovalPolicy,
      pointInTimeRecovery: settings.pointInTimeRecovery,
    };
    this.connections = new ConnectionsTable(this, 'Connections', tableProps);
    this.rooms = new RoomsTable(this, 'Rooms', tableProps);
    const table = this.connections.table;
    const shared = { [LAMBDA_ENV.tableName]: table.tableName, [LAMBDA_ENV.roomsTableName]: this.rooms.table.tableName };
    const common = { logRetention: settings.logRetention };

    // One DynamoDB call each: 256 MB gives enough CPU for a quick cold start (SDK client setup)
    // at the smallest bill; 10 s covers SDK retries, well inside API Gateway's 29 s.
    const small = { ...common, memorySize: 256, timeout: Duration.seconds(10) };
    const connect = new ChatFunction(this, 'Connect', {
      ...small,
      handlerFile: 'connect',
      description: 'Chat $connect: records the connection',
      environment: shared,
    });
    const disconnect = new ChatFunction(this, 'Disconnect', {
      ...small,
      handlerFile: 'disconnect',
      description: 'Chat $disconnect: removes the connection',
      environment: shared,
    });
    const fallback = new ChatFunction(this, 'DefaultRoute', {
      ...small,
      handlerFile: 'message',
      description: 'Chat $default: replies the invalid-action error to the sender',
      environment: shared,
    });
    // The broadcast pages through the table and posts to every connection with bounded
    // concurrency: CPU grows with memory, and signing and TLS for dozens of parallel posts is
    // CPU work, hence 512 MB; 60 s so that a
    // large audience is fully served even after API Gateway stops waiting at 29 s (the client
    // gets nothing from the integration response, only the posted frames).
    const sendMessage = new ChatFunction(this, 'SendMessage', {
      ...common,
      memorySize: 512,
      timeout: Duration.seconds(60),
      handlerFile: 'message',
      description: 'Chat sendMessage: broadcasts to every connection',
      environment: {
        ...shared,
        ...optional(LAMBDA_ENV.maxConcurrentDeliveries, settings.broadcastConcurrency),
        ...optional(LAMBDA_ENV.pageSize, settings.connectionsPageSize),
      },
    });
    this.functions = { connect, disconnect, default: fallback, sendMessage };

    this.webSocket = new ChatWebSocketApi(this, 'WebSocket', {
      handlers: {
        connect: connect.function,
        disconnect: disconnect.function,
        default: fallback.function,
        sendMessage: sendMessage.function,
      },
      stageName: settings.stageName,
      throttleRateLimit: settings.throttleRateLimit,
      throttleBurstLimit: settings.throttleBurstLimit,
      logRetention: settings.logRetention,
      createCloudWatchRole: settings.apiGatewayCloudWatchRole,
    });
    const { stage } = this.webSocket;

    table.grant(connect.role, 'dynamodb:PutItem');
    table.grant(disconnect.role, 'dynamodb:DeleteItem');
    table.grant(sendMessage.role, 'dynamodb:Scan', 'dynamodb:DeleteItem');

    // Posting needs the management endpoint and `POST @connections/{id}` on this stage only.
    // The endpoint is set explicitly: the one derived from the event breaks behind a custom domain.
    const postToConnections = new PolicyStatement({
      actions: ['execute-api:ManageConnections'],
      resources: [
        this.formatArn({
          service: 'execute-api',
          resource: this.webSocket.api.apiId,
          resourceName: `${stage.stageName}/POST/@connections/*`,
          arnFormat: ArnFormat.SLASH_RESOURCE_NAME,
        }),
      ],
    });
    const apiLogicalId = this.getLogicalId(this.webSocket.api.node.defaultChild as CfnApi);
    for (const poster of [sendMessage, fallback]) {
      poster.role.addToPolicy(postToConnections);
      poster.function.addEnvironment(LAMBDA_ENV.managementEndpoint, stage.callbackUrl);
      Validations.of(poster.role).acknowledge({
        id: `AwsSolutions-IAM5[Resource::arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:<${apiLogicalId}>/${stage.stageName}/POST/@connections/*]`,
        reason:
          'Connection ids are created at runtime, so the ARN ends in a wildcard; it is already ' +
          'limited to POST on the @connections of this API and stage, the narrowest ARN there is.',
      });
    }

    new CfnOutput(this, 'WebSocketUrl', {
      description: 'Connect chat clients here, e.g. npx wscat -c <url>',
      value: stage.url,
    });
    new CfnOutput(this, 'ManagementEndpoint', {
      description: 'API Gateway management API (postToConnection) of the stage',
      value: stage.callbackUrl,
    });
    new CfnOutput(this, 'ConnectionsTableName', { value: table.tableName });
    new CfnOutput(this, 'RoomsTableName', { value: this.rooms.table.tableName });
  }
}

/** `{ name: value }` when the operator set a value, otherwise nothing (the handler's default). */
function optional(name: string, value: number | undefined): Record<string, string> {
  return value === undefined ? {} : { [name]: String(value) };
}
