import { RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import { AccessLogFormat, CfnAccount } from 'aws-cdk-lib/aws-apigateway';
import {
  type IWebSocketRouteAuthorizer,
  LogGroupLogDestination,
  WebSocketApi,
  WebSocketStage,
} from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { ManagedPolicy, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** One route of the API and the function behind it. */
export interface ChatRoute {
  /** The route key: `$connect`, `$disconnect`, `$default` or an action. */
  readonly routeKey: string;
  /** Construct id stem of the route's integration, e.g. `SendMessage` gives `SendMessageIntegration`. */
  readonly id: string;
  readonly handler: IFunction;
}

export interface ChatWebSocketApiProps {
  /** Every route, `$connect` among them. */
  readonly routes: readonly ChatRoute[];
  /** Decides on `$connect` who may connect; without it, anyone holding the URL may. */
  readonly connectAuthorizer?: IWebSocketRouteAuthorizer;
  readonly stageName: string;
  readonly throttleRateLimit: number;
  readonly throttleBurstLimit: number;
  readonly logRetention: RetentionDays;
  /** Create the regional API Gateway logging role (see `cloudWatchRole`). */
  readonly createCloudWatchRole: boolean;
}

/**
 * The WebSocket API with the original chat's routing: the `action` field of a JSON frame selects
 * the route, anything else lands on `$default`. One auto-deployed stage, throttled, with access
 * logs that carry ids, routes and statuses, never a message body, a query string or a token.
 */
export class ChatWebSocketApi extends Construct {
  readonly api: WebSocketApi;
  readonly stage: WebSocketStage;
  readonly accessLogGroup: LogGroup;
  /** The account-wide role API Gateway logs with, when this stack sets it. */
  readonly cloudWatchRole?: Role;

  constructor(scope: Construct, id: string, props: ChatWebSocketApiProps) {
    super(scope, id);
    this.api = new WebSocketApi(this, 'Api', {
      // The stack's name, so that each stage's API is told apart in the console (the default is `Api`).
      apiName: Stack.of(this).stackName,
      description: 'WebSocket chat',
      routeSelectionExpression: '$request.body.action',
    });
    const authorizer = props.connectAuthorizer;
    for (const { routeKey, id: stem, handler } of props.routes) {
      const guarded = routeKey === '$connect' && authorizer !== undefined;
      const route = this.api.addRoute(routeKey, {
        integration: new WebSocketLambdaIntegration(`${stem}Integration`, handler),
        ...(guarded ? { authorizer } : {}),
      });
      if (guarded) continue;
      Validations.of(route).acknowledge({
        id: 'AwsSolutions-APIG4',
        reason:
          routeKey === '$connect'
            ? // API Gateway accepts an authorizer on $connect only, so that is the one place to decide.
              'Anonymous chat is the original design and the default: anyone holding the URL may connect, ' +
              'as with the API Gateway chat whose wire protocol clients speak. Deploying with ' +
              '-c authMode=optional|required or -c allowedOrigins=... puts an authorizer here.'
            : 'WebSocket APIs cannot authorize routes other than $connect: this route only runs on a ' +
              (authorizer === undefined
                ? 'connection that $connect admitted, and the chat admits anonymous clients by design.'
                : "connection that $connect's authorizer admitted."),
      });
    }

    this.accessLogGroup = new LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: props.stageName,
      autoDeploy: true,
      // Applies to every route, $connect included: caps what one client (or a flood) costs in
      // invocations and, through the fan-outs of messages and presence, in postToConnection calls.
      throttle: { rateLimit: props.throttleRateLimit, burstLimit: props.throttleBurstLimit },
      // $context variables only: never the query string or a header, where tokens travel, and no
      // execution logging, whose data trace would log whole requests. The principal id is the
      // verified token's `sub` ('anonymous' without one): an identifier, not a credential, that
      // ties a connection to an account when abuse must be traced after its row has expired. It
      // comes only from a token the issuer signed, never from the client, and is no more personal
      // than the source IP beside it.
      accessLogSettings: {
        destination: new LogGroupLogDestination(this.accessLogGroup),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTimeEpoch: '$context.requestTimeEpoch',
            connectionId: '$context.connectionId',
            eventType: '$context.eventType',
            routeKey: '$context.routeKey',
            status: '$context.status',
            integrationLatency: '$context.integrationLatency',
            error: '$context.error.message',
            sourceIp: '$context.identity.sourceIp',
            ...(authorizer === undefined ? {} : { principalId: '$context.authorizer.principalId' }),
          }),
        ),
      },
    });

    if (props.createCloudWatchRole) {
      this.cloudWatchRole = this.createCloudWatchRole();
    }
  }

  /**
   * WebSocket stages log through the role set in API Gateway's account settings (one per account
   * and region); without it, deploying a stage with access logs fails. The role is retained on
   * destroy because other APIs of the account may log through it by then.
   */
  private createCloudWatchRole(): Role {
    const role = new Role(this, 'CloudWatchRole', {
      assumedBy: new ServicePrincipal('apigateway.amazonaws.com'),
      description: 'Lets API Gateway write execution and access logs of the APIs in this region',
      managedPolicies: [ManagedPolicy.fromAwsManagedPolicyName('service-role/AmazonAPIGatewayPushToCloudWatchLogs')],
    });
    Validations.of(role).acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason:
        'This is the account-wide API Gateway logging role, used by every API of the region: it ' +
        'cannot be scoped to this stack, and the AWS-maintained policy is the one API Gateway documents.',
    });
    role.applyRemovalPolicy(RemovalPolicy.RETAIN);
    const account = new CfnAccount(this, 'Account', { cloudWatchRoleArn: role.roleArn });
    account.applyRemovalPolicy(RemovalPolicy.RETAIN);
    this.stage.node.addDependency(account);
    return role;
  }
}
