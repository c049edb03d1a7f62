import { App, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { InvalidContextError, readChatStackSettings } from '../../infra/ChatStackSettings.js';

const read = (context: Record<string, unknown>) => readChatStackSettings(new App({ context }).node);

describe('readChatStackSettings', () => {
  it('applies the documented defaults when nothing is set', () => {
    expect(read({})).toEqual({
      stageName: 'production',
      tableRemovalPolicy: RemovalPolicy.DESTROY,
      logRetention: RetentionDays.ONE_MONTH,
      pointInTimeRecovery: false,
      throttleRateLimit: 100,
      throttleBurstLimit: 200,
      apiGatewayCloudWatchRole: true,
      broadcastConcurrency: undefined,
      connectionsPageSize: undefined,
    });
  });

  it('reads -c strings and cdk.json values alike', () => {
    const fromCli = read({ logRetentionDays: '14', pointInTimeRecovery: 'true', tableRemovalPolicy: 'RETAIN' });
    const fromJson = read({ logRetentionDays: 14, pointInTimeRecovery: true, tableRemovalPolicy: 'retain' });
    expect(fromCli).toEqual(fromJson);
    expect(fromJson).toMatchObject({
      logRetention: RetentionDays.TWO_WEEKS,
      pointInTimeRecovery: true,
      tableRemovalPolicy: RemovalPolicy.RETAIN,
    });
  });

  it.each([
    ['stageName', 'my stage'],
    ['stageName', ''.padEnd(129, 'a')],
    ['tableRemovalPolicy', 'keep'],
    ['logRetentionDays', 10],
    ['logRetentionDays', 9999],
    ['pointInTimeRecovery', 'yes'],
    ['throttleRateLimit', 0],
    ['throttleBurstLimit', '1.5'],
    ['broadcastConcurrency', 'many'],
    ['connectionsPageSize', -1],
    ['apiGatewayCloudWatchRole', 1],
  ])('rejects %s=%j with a clear error', (key, value) => {
    const attempt = () => read({ [key]: value });
    expect(attempt).toThrow(InvalidContextError);
    expect(attempt).toThrow(new RegExp(`context ${key}=`));
  });
});
