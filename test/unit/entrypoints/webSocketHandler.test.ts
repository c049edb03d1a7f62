import type { APIGatewayProxyWebsocketEventV2 } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { PowertoolsChatMetrics } from '../../../src/adapters/powertools/index.js';
import { readLambdaConfig } from '../../../src/entrypoints/lambda/config.js';
import { type LambdaChat, managementEndpointOf } from '../../../src/entrypoints/lambda/container.js';
import { createLambdaLogger, createLambdaMetrics } from '../../../src/entrypoints/lambda/observability.js';
import { textOf, webSocketHandler } from '../../../src/entrypoints/lambda/webSocketHandler.js';

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

/** A LambdaChat stand-in that records the endpoint each event's work ran within. */
function fakeChat() {
  const endpoints: string[] = [];
  const config = readLambdaConfig({ CONNECTIONS_TABLE: 'connections', ROOMS_TABLE: 'rooms' });
  const chat = {
    config,
    logger: createLambdaLogger(config.observability),
    metrics: new PowertoolsChatMetrics(createLambdaMetrics(config.observability)),
    within: (context, work) => {
      endpoints.push(managementEndpointOf(config, context));
      return work();
    },
  } as LambdaChat;
  return { chat, endpoints };
}

describe('webSocketHandler', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  describe('handler', () => {
    it("answers 200 when the work ran, within the event's endpoint, for the event's connection", async () => {
      const { chat, endpoints } = fakeChat();
      const senders: string[] = [];
      const handler = webSocketHandler(chat, async (sender) => void senders.push(sender));
      await expect(handler(event('{}'))).resolves.toEqual({ statusCode: 200 });
      expect(senders).toEqual(['sender0000000AA=']);
      expect(endpoints).toEqual(['https://abc.execute-api.eu-west-1.amazonaws.com/prod']);
    });

    it('answers 500 on an infrastructure failure and logs its class and code, no body, no stack', async () => {
      const logged: string[] = [];
      vi.spyOn(process.stderr, 'write').mockImplementation((line) => {
        logged.push(String(line));
        return true;
      });
      const failure = Object.assign(new Error('table unavailable'), { code: 'ProvisionedThroughputExceeded' });
      const handler = webSocketHandler(fakeChat().chat, async () => {
        throw failure;
      });

      const result = await handler(event('{"action":"sendMessage","data":"secret body"}'));

      expect(result).toEqual({ statusCode: 500 });
      expect(logged).toHaveLength(1);
      expect(JSON.parse(logged[0] as string)).toMatchObject({
        level: 'ERROR',
        message: 'sendMessage.failed',
        connectionId: 'sender0000000AA=',
        error: 'Error',
        code: 'ProvisionedThroughputExceeded',
        errorMessage: 'table unavailable',
      });
      expect(logged[0]).not.toContain('secret body');
      expect(logged[0]).not.toContain('at ');
    });
  });

  describe('textOf', () => {
    it('reads a text body as it is, and decodes a base64 body', () => {
      expect(textOf(event('hello'))).toBe('hello');
      expect(textOf(event(Buffer.from('{"action":"x"}').toString('base64'), true))).toBe('{"action":"x"}');
    });
  });

  describe('managementEndpointOf', () => {
    it('derives https://{domainName}/{stage} unless APIGW_MANAGEMENT_ENDPOINT overrides it', () => {
      const derived = readLambdaConfig({ CONNECTIONS_TABLE: 'connections', ROOMS_TABLE: 'rooms' });
      const custom = readLambdaConfig({
        CONNECTIONS_TABLE: 'connections',
        ROOMS_TABLE: 'rooms',
        APIGW_MANAGEMENT_ENDPOINT: 'https://chat.example.com',
      });
      const { requestContext } = event('');
      expect(managementEndpointOf(derived, requestContext)).toBe(
        'https://abc.execute-api.eu-west-1.amazonaws.com/prod',
      );
      expect(managementEndpointOf(custom, requestContext)).toBe('https://chat.example.com');
    });

    it('refuses a configuration without either table', () => {
      expect(() => readLambdaConfig({ ROOMS_TABLE: 'rooms' })).toThrow(/CONNECTIONS_TABLE must be set/);
      expect(() => readLambdaConfig({ CONNECTIONS_TABLE: 'connections' })).toThrow(/ROOMS_TABLE must be set/);
    });
  });
});
