import { Match } from 'aws-cdk-lib/assertions';
import { describe, expect, it } from 'vitest';
import { CHAT_ENV } from '../../src/entrypoints/chatSettings.js';
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
    apiGatewayCloudWatchRole: 'true',
    broadcastConcurrency: '16',
    connectionsPageSize: 250,
    rateLimitPerSecond: '0',
    rateLimitBurst: 30,
    historyMaxMessages: '500',
    historyMaxAgeMs: 3_600_000,
    maxRoomsPerConnection: '5',
    memberListCap: 200,
  });
  // 'fanout': the fan-out function, which takes a share of a broadcast as the routes do.
  const variablesOf = (route: string) =>
    (
      custom.template.toJSON().Resources[
        route === 'fanout' ? custom.idOf(custom.stack.fanout.function) : custom.functionId(route)
      ].Properties.Environment as {
        Variables: Record<string, unknown>;
      }
    ).Variables;

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

  it.each([...routeKeys, 'fanout'])('passes the broadcast tuning to %s only if it fans out', (route) => {
    const Variables = variablesOf(route);
    const tuning = { BROADCAST_CONCURRENCY: '16', CONNECTIONS_PAGE_SIZE: '250' };
    if (['sendMessage', 'joinRoom', 'leaveRoom', '$disconnect', 'fanout'].includes(route)) {
      expect(Variables).toMatchObject(tuning);
    } else {
      expect(Variables).not.toHaveProperty('BROADCAST_CONCURRENCY');
      expect(Variables).not.toHaveProperty('CONNECTIONS_PAGE_SIZE');
    }
  });

  it.each([...routeKeys, 'fanout'])(
    'passes the chat settings that are set to %s, under their CHAT_ENV names',
    (route) => {
      const chat = Object.fromEntries(
        Object.entries(variablesOf(route)).filter(([name]) => (Object.values(CHAT_ENV) as string[]).includes(name)),
      );
      expect(chat).toEqual({
        [CHAT_ENV.rateLimitPerSecond]: '0',
        [CHAT_ENV.rateLimitBurst]: '30',
        [CHAT_ENV.historyMaxMessages]: '500',
        [CHAT_ENV.historyMaxAgeMs]: '3600000',
        [CHAT_ENV.maxRoomsPerConnection]: '5',
        [CHAT_ENV.memberListCap]: '200',
      });
    },
  );

  it('sets the regional logging role when told to (-c apiGatewayCloudWatchRole=true)', () => {
    custom.template.resourceCountIs('AWS::ApiGateway::Account', 1);
    // Each route's function's role, the fan-out function's, and the logging role.
    custom.template.resourceCountIs('AWS::IAM::Role', routeKeys.length + 2);
  });
});
