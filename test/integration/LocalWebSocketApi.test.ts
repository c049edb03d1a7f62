import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { createApiGatewayClient } from '../../src/adapters/apigateway/index.js';
import type { LocalWebSocketEvent } from '../../src/entrypoints/aws-local/events.js';
import { InvocationTimedOutError, LambdaWorkerPool } from '../../src/entrypoints/aws-local/LambdaWorkerPool.js';
import type { RouteTable } from '../../src/entrypoints/aws-local/LocalWebSocketApi.js';
import type { LocalAuthorizer } from '../../src/entrypoints/aws-local/localAuthorizer.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { type RunningLocalApi, startLocalApi } from '../support/awsLocal.js';
import { ChatClient, delay, eventually } from '../support/ChatClient.js';
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
      // API Gateway's shape (`L0SM9cOFvHcCIhw=`), and no messageId: only client messages have one.
      expect(connect?.requestContext.connectionId).toMatch(/^[A-Za-z0-9]{15}=$/);
      expect(connect?.requestContext).not.toHaveProperty('messageId');
      expect(typeof connect?.requestContext.connectedAt).toBe('number');
      expect(typeof connect?.requestContext.requestTimeEpoch).toBe('number');
      await client.close();
    });
  });

  describe('$connect authorizer', () => {
    const allowing = (calls: LocalWebSocketEvent[]): LocalAuthorizer => ({
      identitySource: 'route.request.querystring.token',
      handler: async (event) => {
        calls.push(event);
        return {
          principalId: 'user-1',
          policyDocument: { Statement: [{ Effect: 'Allow' }] },
          context: { user: 'user-1', name: 'Ann' },
        } as unknown as Awaited<ReturnType<RouteTable[string]>>;
      },
    });

    it('refuses an upgrade without the identity source with 401, invoking neither the authorizer nor $connect', async () => {
      const calls: LocalWebSocketEvent[] = [];
      local = await startLocalApi();
      local.api.setRoutes(recording(), allowing(calls));
      await expect(ChatClient.connect(local.url)).rejects.toThrow(/401/);
      expect(calls).toEqual([]);
      expect(events).toEqual([]);
    });

    it('hands $connect what an Allow carried as requestContext.authorizer, principal id included', async () => {
      const calls: LocalWebSocketEvent[] = [];
      local = await startLocalApi();
      local.api.setRoutes(recording(), allowing(calls));
      const client = await ChatClient.connect(`${local.url}?token=t0k`);
      expect(calls).toHaveLength(1);
      expect(events[0]?.requestContext.authorizer).toEqual({ user: 'user-1', name: 'Ann', principalId: 'user-1' });
      await client.close();
    });
  });

  describe('subprotocol', () => {
    const answering =
      (protocol?: string): RouteTable[string] =>
      async (event) => {
        events.push(event);
        return {
          statusCode: 200,
          ...(protocol === undefined ? {} : { headers: { 'Sec-WebSocket-Protocol': protocol } }),
        };
      };
    const connectWith = (url: string, protocols: string[]) =>
      new Promise<WebSocket>((resolve, reject) => {
        const socket = new WebSocket(url, protocols);
        socket.once('open', () => resolve(socket));
        socket.once('error', reject);
      });

    it('answers with the subprotocol $connect returned', async () => {
      local = await startLocalApi({ ...recording(), $connect: answering('chat.v2') });
      const socket = await connectWith(local.url, ['chat.v1', 'chat.v2']);
      expect(socket.protocol).toBe('chat.v2');
      expect(events[0]?.headers?.['sec-websocket-protocol']).toBe('chat.v1,chat.v2');
      socket.close();
    });

    it('answers with none when $connect returned none, so a client that asked fails the handshake', async () => {
      local = await startLocalApi({ ...recording(), $connect: answering() });
      await expect(connectWith(local.url, ['chat.v1'])).rejects.toThrow('Server sent no subprotocol');
      const plain = await ChatClient.connect(local.url);
      expect(plain.socket.protocol).toBe('');
      await plain.close();
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
      const withIds = events.filter((event) => event.requestContext.messageId !== undefined);
      expect(withIds.map((event) => event.requestContext.eventType)).toEqual(['MESSAGE', 'MESSAGE', 'MESSAGE']);
      for (const event of withIds) expect(event.requestContext.messageId).toMatch(/^[A-Za-z0-9]{15}=$/);
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

  describe('concurrency', () => {
    /** A route whose invocations wait until `release` is called, counting those that started. */
    const gated = () => {
      let open!: () => void;
      const gate = new Promise<void>((resolve) => {
        open = resolve;
      });
      const started: string[] = [];
      const handler = async (event: LocalWebSocketEvent) => {
        started.push(event.body as string);
        await gate;
        return { statusCode: 200 };
      };
      return { started, handler, release: () => open() };
    };

    it("runs a connection's invocations concurrently, as API Gateway does", async () => {
      const slow = gated();
      local = await startLocalApi({ ...recording(), sendMessage: slow.handler });
      const client = await ChatClient.connect(local.url);
      for (let i = 0; i < 3; i++) client.sendMessage(`m${i}`);
      // All three run while none has finished: no invocation waits for the one before it.
      await eventually(() => slow.started.length === 3);
      slow.release();
      await client.close();
    });

    it('runs them one at a time, in arrival order, with a concurrency of 1 (AWS_LOCAL_SERIAL)', async () => {
      const order: string[] = [];
      let running = 0;
      let most = 0;
      const serial = async (event: LocalWebSocketEvent) => {
        most = Math.max(most, ++running);
        await new Promise((resolve) => setTimeout(resolve, 5));
        order.push(JSON.parse(event.body as string).data);
        running--;
        return { statusCode: 200 };
      };
      local = await startLocalApi({ ...recording(), sendMessage: serial }, { maxInvocationsPerConnection: 1 });
      const client = await ChatClient.connect(local.url);
      for (let i = 0; i < 20; i++) client.sendMessage(`m${i}`);
      await eventually(() => order.length === 20);
      expect(most).toBe(1);
      expect(order).toEqual(Array.from({ length: 20 }, (_, i) => `m${i}`));
      await client.close();
    });

    it('bounds what a flooding connection holds: its running invocations, the waiting messages, the total', async () => {
      const slow = gated();
      const bounds = { maxInvocationsPerConnection: 4, maxQueuedInvocations: 8, maxInvocations: 6 };
      local = await startLocalApi({ ...recording(), sendMessage: slow.handler }, bounds);
      const [flooder, other] = [await ChatClient.connect(local.url), await ChatClient.connect(local.url)];
      const [flooderId, otherId] = events.map((event) => event.requestContext.connectionId) as [string, string];
      const frame = JSON.stringify({ action: 'sendMessage', data: 'x'.repeat(16 * 1024) });
      const flood = 2000;
      for (let i = 0; i < flood; i++) flooder.send(frame);
      for (let i = 0; i < 10; i++) other.send(frame);
      await eventually(() => slow.started.length === 6);
      await delay(300);
      // Nothing finishes, so every invocation started so far is still held.
      expect(slow.started).toHaveLength(6);
      expect(local.api.budget.maxRunning).toBe(6);
      expect(local.api.loadOf(flooderId)?.inFlight).toBeLessThanOrEqual(4);
      // The socket stopped being read: the flood sits in the client's buffers (TCP pushes back).
      // One socket read (64 KiB) may hold four such frames beyond the point where reading paused.
      expect(local.api.loadOf(flooderId)?.waiting).toBeLessThanOrEqual(8 + 4);
      expect(flooder.socket.bufferedAmount).toBeGreaterThan(flood * frame.length * 0.5);
      expect(local.api.loadOf(otherId)?.waiting).toBeLessThanOrEqual(10);
      slow.release();
      // Once invocations finish, reading resumes and every message is run: nothing was dropped.
      await eventually(() => slow.started.length === flood + 10, 60_000);
      expect(local.api.budget.maxRunning).toBe(6);
      await Promise.all([flooder.close(), other.close()]);
      // Running 2,010 messages of 16 KiB six at a time takes a busy 2-core machine well past 30 s.
    }, 120_000);
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

    it('refuses an unsigned or badly signed request with 403, as @connections does', async () => {
      local = await startLocalApi(recording());
      const client = await ChatClient.connect(local.url);
      const url = `${local.endpoint}/@connections/${events[0]?.requestContext.connectionId}`;
      const unsigned = await fetch(url, { method: 'POST', body: 'x' });
      expect(unsigned.status).toBe(403);
      expect(unsigned.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
      const forged = await fetch(url, {
        method: 'POST',
        body: 'x',
        headers: { authorization: 'AWS4-HMAC-SHA256 Credential=KEY/20261201/local/s3/aws4_request, Signature=00' },
      });
      expect(forged.status).toBe(403);
      expect(forged.headers.get('x-amzn-errortype')).toBe('IncompleteSignatureException');
      expect(client.frames).toEqual([]);
      // The SDK client signs: its post goes through.
      const sdk = management();
      await sdk.send(
        new PostToConnectionCommand({ ConnectionId: events[0]?.requestContext.connectionId, Data: 'signed' }),
      );
      expect(await client.next()).toBe('signed');
      sdk.destroy();
      await client.close();
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

  describe('Lambda timeouts', () => {
    it("fails an invocation past its function's timeout and tells the client as API Gateway does", async () => {
      const dir = await mkdtemp(join(tmpdir(), 'timeout-'));
      const worker = join(dir, 'worker.mjs');
      // An environment whose handler never answers: only the function's timeout ends it.
      await writeFile(
        worker,
        "import { parentPort } from 'node:worker_threads'; parentPort.on('message', () => {}); parentPort.postMessage('ready');",
      );
      const pool = new LambdaWorkerPool(pathToFileURL(worker), {
        functionName: 'local-sendMessage',
        routes: { sendMessage: worker },
        memoryMb: 512,
        timeoutSeconds: 0.3,
        maxEnvironments: 1,
      });
      try {
        const failures: unknown[] = [];
        local = await startLocalApi(
          { ...recording(), ...pool.routeTable() },
          { onError: (error) => failures.push(error) },
        );
        const client = await ChatClient.connect(local.url);
        client.sendMessage('never answered');
        const frame = JSON.parse(await client.next());
        // The Lambda timeout (not API Gateway's 29 s) ended it: a failed integration, not a 504.
        expect(frame).toEqual({
          message: 'Internal server error',
          connectionId: events[0]?.requestContext.connectionId,
          requestId: expect.any(String),
        });
        expect(failures).toEqual([expect.any(InvocationTimedOutError)]);
        await client.close();
      } finally {
        await pool.close();
        await rm(dir, { recursive: true, force: true });
      }
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
