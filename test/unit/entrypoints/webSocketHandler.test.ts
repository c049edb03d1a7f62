import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { Container } from 'inversify';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { readLambdaConfig } from '../../../src/entrypoints/lambda/config.js';
import { type LambdaContainer, managementEndpointOf } from '../../../src/entrypoints/lambda/container.js';
import { frameOf, webSocketHandler } from '../../../src/entrypoints/lambda/webSocketHandler.js';
import { INTERNAL_ERROR_REPLY } from '../../../src/entrypoints/replies.js';
import { TOKENS } from '../../../src/entrypoints/tokens.js';
import { RecordingGateway } from '../../support/fakes.js';

const event = (body: string, isBase64Encoded = false): APIGatewayProxyWebsocketEventV2 => ({
  body,
  isBase64Encoded,
  requestContext: {
    routeKey: 'sendMessage',
    messageId: 'm=',
    eventType: 'MESSAGE',
    extendedRequestId: 'x=',
    requestTime: '28/Nov/2026:18:00:00 +0000',
    messageDirection: 'IN',
    stage: 'prod',
    connectedAt: 0,
    requestTimeEpoch: 0,
    requestId: 'r=',
    domainName: 'abc.execute-api.eu-west-1.amazonaws.com',
    connectionId: 'sender0000000AA=',
    apiId: 'abc',
  },
});

/** A LambdaContainer stand-in whose every endpoint resolves to one container with a recording gateway. */
function fakeLambda(gateway: RecordingGateway): LambdaContainer {
  const container = new Container();
  container.bind(TOKENS.MessageGateway).toConstantValue(gateway);
  return { for: () => container } as unknown as LambdaContainer;
}

describe('webSocketHandler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('handler', () => {
    it('answers 200 when the work ran', async () => {
      const handler = webSocketHandler('sendMessage', fakeLambda(new RecordingGateway()), async () => {}, {
        replyOnFailure: true,
      });
      await expect(handler(event('{}'))).resolves.toEqual({ statusCode: 200 });
    });

    it('answers 500 on an infrastructure failure, tells the sender, and logs no body or stack', async () => {
      const gateway = new RecordingGateway();
      const logged: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
        logged.push(String(line));
        return true;
      });
      const failure = Object.assign(new Error('table unavailable'), { code: 'ProvisionedThroughputExceeded' });
      const handler = webSocketHandler(
        'sendMessage',
        fakeLambda(gateway),
        async () => {
          throw failure;
        },
        { replyOnFailure: true },
      );

      const result = await handler(event('{"action":"sendMessage","data":"secret body"}'));

      expect(result).toEqual({ statusCode: 500 });
      expect(gateway.posts).toEqual([{ to: 'sender0000000AA=', frame: INTERNAL_ERROR_REPLY }]);
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0] as string)).toMatchObject({
        event: 'sendMessage.failed',
        code: 'ProvisionedThroughputExceeded',
      });
      expect(logged[0]).not.toContain('secret body');
      expect(logged[0]).not.toContain('at ');
    });
  });

  describe('frameOf', () => {
    it('reads a base64 body as a binary frame of its decoded length, anything else as text', () => {
      expect(frameOf(event('AQID', true))).toEqual({ kind: 'binary', byteLength: 3 });
      expect(frameOf(event('hello'))).toEqual({ kind: 'text', text: 'hello' });
    });
  });

  describe('managementEndpointOf', () => {
    it('derives https://{domainName}/{stage} unless APIGW_MANAGEMENT_ENDPOINT overrides it', () => {
      const derived = readLambdaConfig({ CONNECTIONS_TABLE: 'connections' });
      const custom = readLambdaConfig({
        CONNECTIONS_TABLE: 'connections',
        APIGW_MANAGEMENT_ENDPOINT: 'https://chat.example.com',
      });
      const { requestContext } = event('');
      expect(managementEndpointOf(derived, requestContext)).toBe(
        'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      );
      expect(managementEndpointOf(custom, requestContext)).toBe('https://chat.example.com');
    });

    it('refuses a configuration without CONNECTIONS_TABLE', () => {
      expect(() => readLambdaConfig({})).toThrow(/CONNECTIONS_TABLE must be set/);
    });
  });
});
