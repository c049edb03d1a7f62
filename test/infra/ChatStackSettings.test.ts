import { App, RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { describe, expect, it } from 'vitest';
import { InvalidContextError, readChatStackSettings } from '../../infra/ChatStackSettings.js';
import { CHAT_ENV } from '../../src/entrypoints/chatSettings.js';

const read = (context: Record<string, unknown>) => readChatStackSettings(new App({ context }).node);

describe('readChatStackSettings', () => {
  it('applies the documented defaults when nothing is set', () => {
    expect(read({})).toEqual({
      stage: undefined,
      stackName: 'WebSocketChat',
      stageName: 'production',
      tableRemovalPolicy: RemovalPolicy.DESTROY,
      logRetention: RetentionDays.ONE_MONTH,
      pointInTimeRecovery: false,
      throttleRateLimit: 100,
      throttleBurstLimit: 200,
      apiGatewayCloudWatchRole: false,
      tableEncryption: 'aws-owned',
      broadcastReservedConcurrency: undefined,
      broadcastConcurrency: undefined,
      connectionsPageSize: undefined,
      authMode: 'none',
      authJwksUrl: undefined,
      authIssuer: undefined,
      authAudience: undefined,
      allowedOrigins: undefined,
      chat: {},
      alarmTopicArn: undefined,
      publishPage: false,
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
    ['stage', 'my stage'],
    ['stage', 'dev_1'],
    ['stage', '-dev'],
    ['stage', ''.padEnd(44, 'a')],
    ['tableEncryption', 'kms'],
    ['broadcastReservedConcurrency', 0],
    ['stageName', 'my stage'],
    ['stageName', ''.padEnd(129, 'a')],
    ['tableRemovalPolicy', 'keep'],
    // CloudFormation cannot snapshot a DynamoDB table on delete: refused here, not at synth.
    ['tableRemovalPolicy', 'snapshot'],
    ['logRetentionDays', 10],
    ['logRetentionDays', 9999],
    ['pointInTimeRecovery', 'yes'],
    ['throttleRateLimit', 0],
    ['throttleBurstLimit', '1.5'],
    ['broadcastConcurrency', 'many'],
    ['connectionsPageSize', -1],
    ['apiGatewayCloudWatchRole', 1],
    ['authMode', 'REQUIRED'],
    ['authMode', true],
    ['allowedOrigins', 'https://chat.example/'],
    ['allowedOrigins', 'https://Chat.example'],
    ['allowedOrigins', 'chat.example'],
    ['allowedOrigins', [1]],
    ['rateLimitPerSecond', -1],
    ['rateLimitBurst', '0'],
    ['historyMaxAgeMs', 999],
    ['memberListCap', '100001'],
    ['maxRoomsPerConnection', 'fifty'],
  ])('rejects %s=%j with a clear error', (key, value) => {
    const attempt = () => read({ [key]: value });
    expect(attempt).toThrow(InvalidContextError);
    expect(attempt).toThrow(new RegExp(`context ${key}=`));
  });

  describe('access', () => {
    const jwks = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example/.well-known/jwks.json';
    const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example';

    it('reads the mode, the key set, issuer and audience, and the origins as a -c string or a cdk.json list', () => {
      const fromCli = read({
        authMode: 'required',
        authJwksUrl: jwks,
        authIssuer: issuer,
        authAudience: 'client123',
        allowedOrigins: 'https://chat.example, http://localhost:3000',
      });
      expect(fromCli).toMatchObject({
        authMode: 'required',
        authJwksUrl: jwks,
        authIssuer: issuer,
        authAudience: 'client123',
        allowedOrigins: ['https://chat.example', 'http://localhost:3000'],
      });
      expect(read({ allowedOrigins: ['https://chat.example'] }).allowedOrigins).toEqual(['https://chat.example']);
      expect(read({ authMode: 'optional', authJwksUrl: jwks })).toMatchObject({ authMode: 'optional' });
    });

    it('treats an empty origin list as unset: any origin', () => {
      expect(read({ allowedOrigins: ' , ' }).allowedOrigins).toBeUndefined();
    });

    it.each(['optional', 'required'])('refuses authMode=%s without authJwksUrl, and says why no secret', (mode) => {
      const attempt = () => read({ authMode: mode });
      expect(attempt).toThrow(InvalidContextError);
      expect(attempt).toThrow(/context authJwksUrl=.*https:\/\/ JWKS URL.*HS256 secret is not offered on AWS/);
    });

    it('refuses a key set that is not fetched over https', () => {
      expect(() => read({ authMode: 'required', authJwksUrl: 'http://keys.example/jwks.json' })).toThrow(
        /context authJwksUrl="http:\/\/keys.example\/jwks.json" is not valid: expected an https:\/\/ URL/,
      );
      expect(() => read({ authMode: 'required', authJwksUrl: 'not a url' })).toThrow(InvalidContextError);
    });

    it.each([
      ['authJwksUrl', jwks],
      ['authIssuer', issuer],
      ['authAudience', 'client123'],
    ])('refuses %s under authMode none, where it would be ignored and the chat left open', (key, value) => {
      const attempt = () => read({ [key]: value });
      expect(attempt).toThrow(InvalidContextError);
      expect(attempt).toThrow(new RegExp(`context ${key}=.*while authMode is none`));
    });
  });

  describe('chat settings', () => {
    it('offers every CHAT_ENV setting under its key, -c string or cdk.json number', () => {
      const values = Object.fromEntries(Object.keys(CHAT_ENV).map((key, index) => [key, 1000 + index]));
      const fromJson = read(values).chat;
      expect(fromJson).toEqual(values);
      expect(read(Object.fromEntries(Object.entries(values).map(([key, value]) => [key, String(value)]))).chat).toEqual(
        fromJson,
      );
    });

    it('accepts what the handlers accept, 0 switching the rate limit off', () => {
      expect(read({ rateLimitPerSecond: '0', historyMaxMessages: 0 }).chat).toEqual({
        rateLimitPerSecond: 0,
        historyMaxMessages: 0,
      });
    });

    it("names the handlers' own bound when it refuses", () => {
      expect(() => read({ rateLimitBurst: 0 })).toThrow(
        /RATE_LIMIT_BURST="0" is not valid: expected an integer from 1/,
      );
    });
  });
});
