import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { noBundling, routeKeys, synthChatStack } from './synthChatStack.js';

describe('ChatStack with context', () => {
  const custom = synthChatStack({
    ...noBundling,
    stageName: 'dev',
    tableRemovalPolicy: 'retain',
    logRetentionDays: '7',
    pointInTimeRecovery: 'true',
    throttleRateLimit: 10,
    throttleBurstLimit: 20,
    apiGatewayCloudWatchRole: false,
    broadcastConcurrency: '16',
    connectionsPageSize: 250,
  });

  it('applies the stage name, throttling, retention, and the removal policy and PITR to both tables', () => {
    custom.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: 'dev',
      DefaultRouteSettings: { ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 },
    });
    const tables = custom.template.findResources('AWS::DynamoDB::Table', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
    });
    expect(Object.keys(tables).sort()).toEqual(
      [custom.idOf(custom.stack.connections.table), custom.idOf(custom.stack.rooms.table)].sort(),
    );
    for (const group of Object.values(custom.template.findResources('AWS::Logs::LogGroup'))) {
      expect(group.Properties.RetentionInDays).toBe(7);
    }
  });

  it('scopes ManageConnections to the chosen stage', () => {
    const text = JSON.stringify(custom.template.toJSON());
    expect(text).toContain('/dev/POST/@connections/*');
    expect(text).not.toContain('/production/');
  });

  it.each(routeKeys)('passes the broadcast tuning to %s only if it fans out', (route) => {
    const { Variables } = custom.template.toJSON().Resources[custom.functionId(route)].Properties.Environment as {
      Variables: Record<string, unknown>;
    };
    const tuning = { BROADCAST_CONCURRENCY: '16', CONNECTIONS_PAGE_SIZE: '250' };
    if (['sendMessage', 'joinRoom', 'leaveRoom', '$disconnect'].includes(route)) {
      expect(Variables).toMatchObject(tuning);
    } else {
      expect(Variables).not.toHaveProperty('BROADCAST_CONCURRENCY');
      expect(Variables).not.toHaveProperty('CONNECTIONS_PAGE_SIZE');
    }
  });

  it('leaves the regional logging role alone when told to', () => {
    custom.template.resourceCountIs('AWS::ApiGateway::Account', 0);
    custom.template.resourceCountIs('AWS::IAM::Role', routeKeys.length);
  });
});
