import {
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { createApiGatewayClient } from '../../src/adapters/apigateway/index.js';
import type { LocalWebSocketEvent } from '../../src/entrypoints/aws-local/events.js';
import type { RouteTable } from '../../src/entrypoints/aws-local/LocalWebSocketApi.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { type RunningLocalApi, startLocalApi } from '../support/awsLocal.js';
import { ChatClient, eventually } from '../support/ChatClient.js';
import { RawWebSocket } from '../support/RawWebSocket.js';

describe('LocalWebSocketApi', () => {
  let local: RunningLocalApi | undefined;
  const events: LocalWebSocketEvent[] = [];
  const recording = (status = 200): RouteTable => {
    const record = async (event: LocalWebSocketEvent) => {
      events.push(event);
      return { statusCode: event.requestContext.eventType === 'CONNECT' ? status : 200 };
    };
    return { $connect: record, $disconnect: record, $default: record, sendMessage: record };
  };
  const management = () =>
    createApiGatewayClient(local?.endpoint as string, { region: 'local', credentials: LOCAL_CREDENTIALS });

  afterEach(async () => {
    await local?.close();
    local = undefined;
    events.length = 0;
  });

  describe('upgrade', () => {
    it('refuses the upgrade when $connect answers non-2xx', async () => {
      local = await startLocalApi(recording(403));
      await expect(ChatClient.connect(local.url)).rejects.toThrow(/403/);
      expect(local.api.size).toBe(0);
    });

    it('hands $connect the headers, query string and request context API Gateway sends', async () => {
      local = await startLocalApi(recording());
      const client = await ChatClient.connect(`${local.url}?room=lobby`);
      const [connect] = events;
      expect(connect?.queryStringParameters).toEqual({ room: 'lobby' });
      expect(connect?.headers?.host).toBe(`127.0.0.1:${local.port}`);
      expect(connect?.requestContext).toMatchObject({
        routeKey: '$connect',
        eventType: 'CONNECT',
        stage: 'test',
        domainName: `127.0.0.1:${local.port}`,
        identity: { sourceIp: '127.0.0.1' },
      });
      expect(connect?.requestContext.connectionId).toMatch(/^[A-Za-z0-9+/]{15}=$/);
      expect(typeof connect?.requestContext.connectedAt).toBe('number');
      expect(typeof connect?.requestContext.requestTimeEpoch).toBe('number');
      await client.close();
    });
  });

  describe('route selection', () => {
    it('routes by action and falls back to $default', async () => {
      local = await startLocalApi(recording());
      const client = await ChatClient.connect(local.url);
      client.send('{"action":"sendMessage","data":"x"}');
      client.send('{"action":"shout"}');
      client.send('not json');
      await client.close();
      await eventually(() => events.some((event) => event.requestContext.eventType === 'DISCONNECT'));
      expect(events.map((event) => [event.requestContext.routeKey, event.body, event.isBase64Encoded])).toEqual([
        ['$connect', undefined, false],
        ['sendMessage', '{"action":"sendMessage","data":"x"}', false],
        ['$default', '{"action":"shout"}', false],
        ['$default', 'not json', false],
        ['$disconnect', undefined, false],
      ]);
    });

    it('closes a binary frame with 1003 and invokes no route for it, as API Gateway does', async () => {
      local = await startLocalApi(recording());
      const client = await ChatClient.connect(local.url);
      client.send('{"action":"sendMessage","data":"before"}');
      client.send(Buffer.from([1, 2, 3]));
      expect((await client.closed).code).toBe(1003);
      await eventually(() => events.some((event) => event.requestContext.eventType === 'DISCONNECT'));
      expect(events.map((event) => event.requestContext.routeKey)).toEqual(['$connect', 'sendMessage', '$disconnect']);
      expect(events[2]?.requestContext.disconnectStatusCode).toBe(1003);
    });
  });

  describe('management API', () => {
    it('describes a connection, deletes it (running $disconnect), then answers 410', async () => {
      local = await startLocalApi(recording());
      const client = await ChatClient.connect(local.url);
      const id = events[0]?.requestContext.connectionId as string;
      const sdk = management();

      const described = await sdk.send(new GetConnectionCommand({ ConnectionId: id }));
      await sdk.send(new DeleteConnectionCommand({ ConnectionId: id }));

      expect(described.ConnectedAt).toBeInstanceOf(Date);
      expect(described.Identity?.SourceIp).toBe('127.0.0.1');
      await client.closed;
      await eventually(() => events.some((event) => event.requestContext.eventType === 'DISCONNECT'));
      await expect(sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x' }))).rejects.toBeInstanceOf(
        GoneException,
      );
      sdk.destroy();
    });

    it('refuses a post over 128 KiB with 413', async () => {
      local = await startLocalApi(recording());
      const client = await ChatClient.connect(local.url);
      const id = events[0]?.requestContext.connectionId as string;
      const sdk = management();
      await expect(
        sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x'.repeat(128 * 1024 + 1) })),
      ).rejects.toBeInstanceOf(PayloadTooLargeException);
      await client.close();
      sdk.destroy();
    });
  });

  describe('integration failures', () => {
    it('tells the client when its integration threw or timed out, as API Gateway does', async () => {
      local = await startLocalApi(
        {
          ...recording(),
          sendMessage: async () => {
            throw new Error('handler crashed');
          },
          $default: () => new Promise(() => {}),
        },
        { integrationTimeoutMs: 200, onError: () => {} },
      );
      const client = await ChatClient.connect(local.url);
      client.send('{"action":"sendMessage","data":"x"}');
      client.send('{"action":"hang"}');
      const [crashed, timedOut] = (await client.waitForFrames(2)).map((frame) => JSON.parse(frame));
      expect(crashed).toMatchObject({ message: 'Internal server error' });
      expect(timedOut).toMatchObject({ message: 'Endpoint request timed out' });
      await client.close();
    });
  });

  describe('limits', () => {
    it('closes a frame over 32 KiB and a message over 128 KiB with 1009, and an idle connection with 1001', async () => {
      local = await startLocalApi(recording(), { idleTimeoutMs: 300 });
      const bigFrame = await ChatClient.connect(local.url);
      const bigMessage = await ChatClient.connect(local.url);
      const idle = await ChatClient.connect(local.url);
      bigFrame.send('x'.repeat(32 * 1024 + 1));
      bigMessage.sendFragmented('x'.repeat(128 * 1024 + 1), 32 * 1024);
      expect((await bigFrame.closed).code).toBe(1009);
      expect((await bigMessage.closed).code).toBe(1009);
      expect((await idle.closed).code).toBe(1001);
    });

    it('accepts a message of 128 KiB in frames of 32 KiB', async () => {
      local = await startLocalApi(recording());
      const client = await ChatClient.connect(local.url);
      client.sendFragmented(JSON.stringify({ action: 'sendMessage', data: 'x'.repeat(128 * 1024 - 34) }), 32 * 1024);
      await eventually(() => events.some((event) => event.requestContext.routeKey === 'sendMessage'));
      await client.close();
    });

    it('disconnects a client that stops reading, with 1008, and answers 410 to posts for it', async () => {
      local = await startLocalApi(recording(), { maxBufferedBytes: 256 * 1024 });
      const slow = await RawWebSocket.connect(local.url);
      slow.stopReading();
      await eventually(() => events.length === 1);
      const id = events[0]?.requestContext.connectionId as string;
      const sdk = management();
      const post = () => sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'x'.repeat(100 * 1024) }));
      let gone: unknown;
      for (let i = 0; i < 500 && gone === undefined; i++)
        gone = await post().then(
          () => undefined,
          (error) => error,
        );
      expect(gone).toBeInstanceOf(GoneException);
      slow.socket.resume();
      expect(await slow.closed).toBe(1008);
      sdk.destroy();
    });
  });
});
