import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import type { RouteKey } from '../../src/entrypoints/lambda/routeAccess.js';
import { ROUTE_HANDLERS } from '../../src/entrypoints/lambda/routes.js';
import { noBundling, routeKeys, synthChatStack } from './synthChatStack.js';

const { stack, template, functionOf, functionId, idOf } = synthChatStack(noBundling);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const apiId = idOf(stack.webSocket.api);
const connectionsTableId = idOf(stack.connections.table);
const roomsTableId = idOf(stack.rooms.table);
const managementEndpoint = {
  'Fn::Join': [
    '',
    [
      'https://',
      { Ref: apiId },
      '.execute-api.',
      { Ref: 'AWS::Region' },
      '.',
      { Ref: 'AWS::URLSuffix' },
      '/production',
    ],
  ],
};

/** The routes of protocol v2 and only those; each expectation table below is keyed by them. */
const expectedRoutes: readonly RouteKey[] = [
  '$connect',
  '$disconnect',
  '$default',
  'sendMessage',
  'joinRoom',
  'leaveRoom',
  'setName',
  'listMembers',
  'history',
];

describe('ChatStack', () => {
  it('deploys every route of ROUTE_HANDLERS, which are the routes of protocol v2', () => {
    expect([...routeKeys].sort()).toEqual([...expectedRoutes].sort());
    expect(Object.keys(stack.functions).sort()).toEqual([...routeKeys].sort());
  });

  it('holds exactly the resources of the design: per route a function, role, policy, log group and route, and the fan-out function', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    const routes = routeKeys.length;
    // The fan-out function has a role, policy and log group too, but no route and no permission:
    // only the roles granted lambda:InvokeFunction call it.
    const functions = routes + 1;
    expect(counts).toEqual({
      'AWS::DynamoDB::Table': 2,
      'AWS::Lambda::Function': functions,
      'AWS::Lambda::Permission': routes,
      'AWS::Lambda::EventInvokeConfig': 1,
      'AWS::IAM::Role': functions,
      'AWS::IAM::Policy': functions,
      'AWS::Logs::LogGroup': functions + 1,
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Route': routes,
      'AWS::ApiGatewayV2::Integration': routes,
      'AWS::ApiGatewayV2::Stage': 1,
      // Errors and throttles of each function, the stage's two error alarms, and sendMessage's and
      // the fan-out function's invocations outgrowing their timeout (BroadcastAlarms); one dashboard.
      'AWS::CloudWatch::Alarm': 2 * functions + 2 + 2,
      'AWS::CloudWatch::Dashboard': 1,
    });
  });

  describe('tables', () => {
    const shared = {
      BillingMode: 'PAY_PER_REQUEST',
      // DynamoDB's own key: encrypted at rest, no KMS charge (see ChatStackEncryption.test.ts).
      SSESpecification: { SSEEnabled: false },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    };

    it('keeps connections keyed by connectionId, on demand, encrypted, with the expiresAt TTL', () => {
      expect(resources[connectionsTableId]?.Properties).toEqual({
        KeySchema: [{ AttributeName: 'connectionId', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'connectionId', AttributeType: 'S' }],
        ...shared,
      });
    });

    it('keeps rooms keyed by room and key, on demand, encrypted, with the expiresAt TTL', () => {
      expect(resources[roomsTableId]?.Properties).toEqual({
        KeySchema: [
          { AttributeName: 'room', KeyType: 'HASH' },
          { AttributeName: 'key', KeyType: 'RANGE' },
        ],
        AttributeDefinitions: [
          { AttributeName: 'room', AttributeType: 'S' },
          { AttributeName: 'key', AttributeType: 'S' },
        ],
        ...shared,
      });
    });

    it('deletes both with the stack by default', () => {
      for (const id of [connectionsTableId, roomsTableId]) {
        expect(template.toJSON().Resources[id]).toMatchObject({
          DeletionPolicy: 'Delete',
          UpdateReplacePolicy: 'Delete',
        });
      }
    });
  });

  describe('WebSocket API', () => {
    it('selects routes by $request.body.action', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: '$request.body.action',
      });
    });

    it.each(routeKeys)('routes %s to its own function, and only that route', (routeKey) => {
      const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } });
      expect(Object.keys(routes)).toHaveLength(1);
      const target = Object.values(routes)[0]?.Properties.Target as { 'Fn::Join': [string, unknown[]] };
      const integrationRef = target['Fn::Join'][1][1] as { Ref: string };
      expect(resources[integrationRef.Ref]?.Properties).toMatchObject({
        ApiId: { Ref: apiId },
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: {
          'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [functionId(routeKey), 'Arn'] }])],
        },
      });
      const permissions = template.findResources('AWS::Lambda::Permission', {
        Properties: { FunctionName: { 'Fn::GetAtt': [functionId(routeKey), 'Arn'] } },
      });
      expect(Object.values(permissions).map((permission) => permission.Properties)).toEqual([
        expect.objectContaining({
          Principal: 'apigateway.amazonaws.com',
          SourceArn: { 'Fn::Join': ['', expect.arrayContaining([{ Ref: apiId }, `/*${routeKey}`])] },
        }),
      ]);
    });

    it('deploys one throttled stage with JSON access logs of ids, routes and statuses, no body', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
        ApiId: { Ref: apiId },
        StageName: 'production',
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: 100, ThrottlingBurstLimit: 200 },
        AccessLogSettings: {
          DestinationArn: { 'Fn::GetAtt': [idOf(stack.webSocket.accessLogGroup), 'Arn'] },
          Format: Match.stringLikeRegexp('\\$context\\.requestId'),
        },
      });
      const stage = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'))[0];
      expect(JSON.parse(stage?.Properties.AccessLogSettings.Format as string)).toEqual({
        requestId: '$context.requestId',
        requestTimeEpoch: '$context.requestTimeEpoch',
        connectionId: '$context.connectionId',
        eventType: '$context.eventType',
        routeKey: '$context.routeKey',
        status: '$context.status',
        integrationLatency: '$context.integrationLatency',
        error: '$context.error.message',
        sourceIp: '$context.identity.sourceIp',
      });
    });

    it('leaves the account-wide API Gateway logging setting alone by default', () => {
      template.resourceCountIs('AWS::ApiGateway::Account', 0);
      expect(stack.webSocket.cloudWatchRole).toBeUndefined();
    });

    it('with apiGatewayCloudWatchRole, sets the regional logging role before the stage needs it, and keeps it on destroy', () => {
      const { stack, template } = synthChatStack({ ...noBundling, apiGatewayCloudWatchRole: true });
      const accountId = stack.getLogicalId(
        stack.webSocket.node.findChild('Account') as unknown as Parameters<typeof stack.getLogicalId>[0],
      );
      template.hasResource('AWS::ApiGateway::Account', { DeletionPolicy: 'Retain' });
      template.hasResource('AWS::ApiGatewayV2::Stage', { DependsOn: [accountId] });
      template.hasResource('AWS::IAM::Role', {
        DeletionPolicy: 'Retain',
        Properties: {
          AssumeRolePolicyDocument: Match.objectLike({
            Statement: [Match.objectLike({ Principal: { Service: 'apigateway.amazonaws.com' } })],
          }),
        },
      });
    });
  });

  describe('functions', () => {
    // [memory MB, timeout s]: sendMessage posts to a whole audience; presence fan-outs may run long.
    const sizing: Record<RouteKey, [number, number]> = {
      $connect: [256, 10],
      $disconnect: [256, 60],
      $default: [256, 10],
      sendMessage: [512, 60],
      joinRoom: [256, 60],
      leaveRoom: [256, 60],
      setName: [256, 10],
      listMembers: [256, 10],
      history: [256, 10],
    };
    it.each(routeKeys)('runs %s on Node.js 24, arm64, with its memory, timeout and own log group', (route) => {
      const [memory, timeout] = sizing[route as RouteKey];
      expect(resources[functionId(route)]?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: memory,
        Timeout: timeout,
        Description: `Chat ${route} route (${ROUTE_HANDLERS[route]} handler)`,
        LoggingConfig: { LogGroup: { Ref: idOf(functionOf(route).logGroup) } },
      });
    });

    it.each(routeKeys)('gives %s both table names, and the management endpoint if it posts', (route) => {
      const environment = resources[functionId(route)]?.Properties.Environment as {
        Variables: Record<string, unknown>;
      };
      expect(environment.Variables).toEqual({
        CONNECTIONS_TABLE: { Ref: connectionsTableId },
        ROOMS_TABLE: { Ref: roomsTableId },
        // Every route but $connect answers or tells someone through the management API.
        ...(route === '$connect' ? {} : { APIGW_MANAGEMENT_ENDPOINT: managementEndpoint }),
        // Only sendMessage hands a large audience to the fan-out function (presence is delivered in place).
        ...(route === 'sendMessage' ? { FANOUT_FUNCTION_NAME: 'WebSocketChat-fanout' } : {}),
      });
    });
  });

  describe('fan-out function', () => {
    const fanoutId = idOf(stack.fanout.function);

    it('is named <stack>-fanout, runs the fanout handler as sendMessage is sized, with its own log group', () => {
      expect(stack.fanoutFunctionName).toBe('WebSocketChat-fanout');
      expect(resources[fanoutId]?.Properties).toEqual({
        FunctionName: 'WebSocketChat-fanout',
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 512,
        Timeout: 60,
        Description: 'Chat fan-out: one share of a large broadcast',
        LoggingConfig: { LogGroup: { Ref: idOf(stack.fanout.logGroup) } },
        Role: { 'Fn::GetAtt': [idOf(stack.fanout.role), 'Arn'] },
        Code: expect.anything(),
        // Both tables (it reads parts of either and removes the gone), where to post, and its own
        // name, for the continuation it hands on when its time runs short.
        Environment: {
          Variables: {
            CONNECTIONS_TABLE: { Ref: connectionsTableId },
            ROOMS_TABLE: { Ref: roomsTableId },
            APIGW_MANAGEMENT_ENDPOINT: managementEndpoint,
            FANOUT_FUNCTION_NAME: 'WebSocketChat-fanout',
          },
        },
      });
    });

    it('is never retried by Lambda: a part run twice would reach its recipients twice', () => {
      expect(Object.values(template.findResources('AWS::Lambda::EventInvokeConfig'))).toEqual([
        {
          Type: 'AWS::Lambda::EventInvokeConfig',
          Properties: { FunctionName: { Ref: fanoutId }, MaximumRetryAttempts: 0, Qualifier: '$LATEST' },
        },
      ]);
    });

    it('has no resource policy: API Gateway and other principals cannot invoke it', () => {
      const permissions = template.findResources('AWS::Lambda::Permission');
      expect(JSON.stringify(permissions)).not.toContain(fanoutId);
    });
  });

  describe('log groups', () => {
    it('every log group has a retention and goes with the stack', () => {
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      // One per function (the routes' and the fan-out's), and the stage's access log.
      expect(groups).toHaveLength(routeKeys.length + 2);
      for (const group of groups) {
        expect(group.Properties.RetentionInDays).toBe(30);
        expect(group.DeletionPolicy).toBe('Delete');
      }
    });

    it('no function can fall back to an implicit /aws/lambda group without retention', () => {
      const groups = new Set<string>();
      for (const route of routeKeys) {
        const group = idOf(functionOf(route).logGroup);
        groups.add(group);
        expect(resources[functionId(route)]?.Properties.LoggingConfig).toEqual({ LogGroup: { Ref: group } });
      }
      expect(groups.size).toBe(routeKeys.length);
      expect(JSON.stringify(template.toJSON())).not.toContain('logs:CreateLogGroup');
    });
  });

  it('outputs the WebSocket URL, the management endpoint and both table names', () => {
    template.hasOutput('WebSocketUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['wss://', { Ref: apiId }, '/production'])] },
    });
    template.hasOutput('ManagementEndpoint', { Value: managementEndpoint });
    template.hasOutput('ConnectionsTableName', { Value: { Ref: connectionsTableId } });
    template.hasOutput('RoomsTableName', { Value: { Ref: roomsTableId } });
  });
});
