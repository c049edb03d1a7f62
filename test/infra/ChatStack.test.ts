import { Match } from 'aws-cdk-lib/assertions';
import type { CfnApi } from 'aws-cdk-lib/aws-apigatewayv2';
import type { CfnTable } from 'aws-cdk-lib/aws-dynamodb';
import type { CfnLogGroup } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { noBundling, type RouteName, routeNames, synthChatStack } from './synthChatStack.js';

const { stack, template, functionId } = synthChatStack(noBundling);
const resources = template.toJSON().Resources as Record<string, { Type: string; Properties: Record<string, unknown> }>;
const idOf = (construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as CfnTable);
const tableId = idOf(stack.connections.table);
const roomsTableId = idOf(stack.rooms.table);
const apiId = stack.getLogicalId(stack.webSocket.api.node.defaultChild as CfnApi);
const tableArn = { 'Fn::GetAtt': [tableId, 'Arn'] };
const postToConnectionsArn = {
  'Fn::Join': [
    '',
    [
      'arn:',
      { Ref: 'AWS::Partition' },
      ':execute-api:',
      { Ref: 'AWS::Region' },
      ':',
      { Ref: 'AWS::AccountId' },
      ':',
      { Ref: apiId },
      '/production/POST/@connections/*',
    ],
  ],
};
const logStatement = (route: RouteName) => ({
  Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
  Effect: 'Allow',
  Resource: { 'Fn::GetAtt': [idOf(stack.functions[route].logGroup), 'Arn'] },
});
const postStatement = { Action: 'execute-api:ManageConnections', Effect: 'Allow', Resource: postToConnectionsArn };

/** Every statement of every inline policy in the template. */
const statements = Object.values(resources)
  .filter((resource) => resource.Type === 'AWS::IAM::Policy')
  .flatMap((policy) => (policy.Properties.PolicyDocument as { Statement: Record<string, unknown>[] }).Statement);
const asList = (value: unknown): unknown[] => (Array.isArray(value) ? value : [value]);

describe('ChatStack', () => {
  it('holds exactly the resources of the design', () => {
    const counts: Record<string, number> = {};
    for (const resource of Object.values(resources)) counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
    expect(counts).toEqual({
      'AWS::DynamoDB::Table': 2,
      'AWS::Lambda::Function': 4,
      'AWS::Lambda::Permission': 4,
      'AWS::IAM::Role': 5,
      'AWS::IAM::Policy': 4,
      'AWS::Logs::LogGroup': 5,
      'AWS::ApiGatewayV2::Api': 1,
      'AWS::ApiGatewayV2::Route': 4,
      'AWS::ApiGatewayV2::Integration': 4,
      'AWS::ApiGatewayV2::Stage': 1,
      'AWS::ApiGateway::Account': 1,
    });
  });

  describe('tables', () => {
    const shared = {
      BillingMode: 'PAY_PER_REQUEST',
      SSESpecification: { SSEEnabled: true },
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: false },
    };

    it('keeps connections keyed by connectionId, on demand, encrypted, with the expiresAt TTL', () => {
      expect(resources[tableId]?.Properties).toEqual({
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
      for (const id of [tableId, roomsTableId]) {
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

    const wiring: Record<string, RouteName> = {
      $connect: 'connect',
      $disconnect: 'disconnect',
      $default: 'default',
      sendMessage: 'sendMessage',
    };
    it.each(Object.entries(wiring))('routes %s to the %s function', (routeKey, route) => {
      const routes = template.findResources('AWS::ApiGatewayV2::Route', { Properties: { RouteKey: routeKey } });
      expect(Object.keys(routes)).toHaveLength(1);
      const target = Object.values(routes)[0]?.Properties.Target as { 'Fn::Join': [string, unknown[]] };
      const integrationRef = target['Fn::Join'][1][1] as { Ref: string };
      expect(resources[integrationRef.Ref]?.Properties).toMatchObject({
        ApiId: { Ref: apiId },
        IntegrationType: 'AWS_PROXY',
        IntegrationUri: {
          'Fn::Join': ['', expect.arrayContaining([{ 'Fn::GetAtt': [functionId(route), 'Arn'] }])],
        },
      });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        FunctionName: { 'Fn::GetAtt': [functionId(route), 'Arn'] },
        Principal: 'apigateway.amazonaws.com',
        SourceArn: { 'Fn::Join': ['', Match.arrayWith([{ Ref: apiId }, `/*${routeKey}`])] },
      });
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

    it('sets the regional API Gateway logging role before the stage needs it, and keeps it on destroy', () => {
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
    const sizing: Record<RouteName, [number, number]> = {
      connect: [256, 10],
      disconnect: [256, 10],
      default: [256, 10],
      sendMessage: [512, 60],
    };
    it.each(routeNames)('runs %s on Node.js 24, arm64, with its memory, timeout and own log group', (route) => {
      const [memory, timeout] = sizing[route];
      expect(resources[functionId(route)]?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: memory,
        Timeout: timeout,
        LoggingConfig: { LogGroup: { Ref: idOf(stack.functions[route].logGroup) } },
      });
    });

    it.each(routeNames)('gives %s both table names, and the management endpoint only where it posts', (route) => {
      const environment = resources[functionId(route)]?.Properties.Environment as {
        Variables: Record<string, unknown>;
      };
      const posts = route === 'sendMessage' || route === 'default';
      expect(environment.Variables).toEqual({
        CONNECTIONS_TABLE: { Ref: tableId },
        ROOMS_TABLE: { Ref: roomsTableId },
        ...(posts
          ? {
              APIGW_MANAGEMENT_ENDPOINT: {
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
              },
            }
          : {}),
      });
    });
  });

  describe('log groups', () => {
    it('every log group has a retention and goes with the stack', () => {
      const groups = Object.values(template.findResources('AWS::Logs::LogGroup'));
      expect(groups).toHaveLength(5);
      for (const group of groups) {
        expect(group.Properties.RetentionInDays).toBe(30);
        expect(group.DeletionPolicy).toBe('Delete');
      }
    });

    it('no function can fall back to an implicit /aws/lambda group without retention', () => {
      for (const route of routeNames) {
        const logGroup = stack.functions[route].logGroup.node.defaultChild as CfnLogGroup;
        expect(resources[functionId(route)]?.Properties.LoggingConfig).toEqual({
          LogGroup: { Ref: stack.getLogicalId(logGroup) },
        });
      }
      expect(statements.flatMap((statement) => asList(statement.Action))).not.toContain('logs:CreateLogGroup');
    });
  });

  describe('IAM', () => {
    const expected: Record<RouteName, unknown[]> = {
      connect: [logStatement('connect'), { Action: 'dynamodb:PutItem', Effect: 'Allow', Resource: tableArn }],
      disconnect: [logStatement('disconnect'), { Action: 'dynamodb:DeleteItem', Effect: 'Allow', Resource: tableArn }],
      default: [logStatement('default'), postStatement],
      sendMessage: [
        logStatement('sendMessage'),
        { Action: ['dynamodb:DeleteItem', 'dynamodb:Scan'], Effect: 'Allow', Resource: tableArn },
        postStatement,
      ],
    };
    it.each(routeNames)('grants %s exactly the actions its use case performs, on exact resources', (route) => {
      const roleId = idOf(stack.functions[route].role);
      const policies = Object.values(template.findResources('AWS::IAM::Policy')).filter((policy) =>
        (policy.Properties.Roles as unknown[]).some((role) => JSON.stringify(role) === JSON.stringify({ Ref: roleId })),
      );
      expect(policies).toHaveLength(1);
      expect(policies[0]?.Properties.PolicyDocument.Statement).toEqual(expected[route]);
      expect(resources[roleId]?.Properties.ManagedPolicyArns).toBeUndefined();
    });

    it('no DynamoDB or ManageConnections statement has a wildcard resource or action', () => {
      const guarded = statements.filter((statement) =>
        asList(statement.Action).some((action) => /^(dynamodb|execute-api):/.test(String(action))),
      );
      expect(guarded.length).toBeGreaterThanOrEqual(5);
      for (const statement of guarded) {
        for (const action of asList(statement.Action)) expect(String(action)).not.toContain('*');
        for (const resource of asList(statement.Resource)) {
          // The only wildcard allowed: the connection id under this API's stage, POST only.
          const text = JSON.stringify(resource).replace(
            '/production/POST/@connections/*"',
            '/production/POST/@connections/{id}"',
          );
          expect(text, `wildcard resource in ${JSON.stringify(statement)}`).not.toContain('*');
        }
      }
    });
  });

  it('outputs the WebSocket URL, the management endpoint and both table names', () => {
    template.hasOutput('WebSocketUrl', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['wss://', { Ref: apiId }, '/production'])] },
    });
    template.hasOutput('ManagementEndpoint', {
      Value: { 'Fn::Join': ['', Match.arrayWith(['https://', { Ref: apiId }, '/production'])] },
    });
    template.hasOutput('ConnectionsTableName', { Value: { Ref: tableId } });
    template.hasOutput('RoomsTableName', { Value: { Ref: roomsTableId } });
  });
});
