import {
  type ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  LimitExceededException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { afterEach, describe, expect, it } from 'vitest';
import { ApiGatewayMessageGateway, createApiGatewayClient } from '../../src/adapters/apigateway/index.js';
import { toConnectionId } from '../../src/domain/index.js';
import type { LocalWebSocketEvent } from '../../src/entrypoints/aws-local/events.js';
import type { RouteTable } from '../../src/entrypoints/aws-local/LocalWebSocketApi.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { AUTHORIZER, accessKeyOf, connectionsGrants, FANOUT } from '../../src/entrypoints/aws-local/localFunctions.js';
import { type RunningLocalApi, startLocalApi } from '../support/awsLocal.js';
import { ChatClient, delay, eventually } from '../support/ChatClient.js';

/** API Gateway's error frame, in its own spacing, for a message it throttled. */
const THROTTLED_FRAME =
  /^\{"message": "Too Many Requests", "connectionId":"[A-Za-z0-9]{15}=", "requestId":"[A-Za-z0-9]{15}="\}$/;

describe('LocalWebSocketApi throttling and grants', () => {
  let local: RunningLocalApi | undefined;
  const clients: ChatClient[] = [];
  const events: LocalWebSocketEvent[] = [];
  const recording: RouteTable = Object.fromEntries(
    ['$connect', '$disconnect', '$default', 'sendMessage'].map((routeKey) => [
      routeKey,
      async (event: LocalWebSocketEvent) => {
        events.push(event);
        return { statusCode: 200 };
      },
    ]),
  );
  const connect = async (count: number) => {
    const made = await Promise.all(Array.from({ length: count }, () => ChatClient.connect(local?.url as string)));
    clients.push(...made);
    return made;
  };
  const idOf = (index: number) =>
    events.filter((event) => event.requestContext.eventType === 'CONNECT')[index]?.requestContext
      .connectionId as string;
  const sdkAs = (accessKeyId: string) =>
    createApiGatewayClient(local?.endpoint as string, {
      region: 'local',
      credentials: { accessKeyId, secretAccessKey: LOCAL_CREDENTIALS.secretAccessKey },
    });

  afterEach(async () => {
    for (const client of clients.splice(0)) client.vanish();
    await local?.close();
    local = undefined;
    events.length = 0;
  });

  describe('the account quota on @connections', () => {
    it('answers a burst past the quota with 429 LimitExceededException, which the SDK sees as throttling', async () => {
      local = await startLocalApi(recording, { accountThrottle: { ratePerSecond: 20, burst: 10 } });
      const [client] = (await connect(1)) as [ChatClient];
      const sdk = sdkAs(LOCAL_CREDENTIALS.accessKeyId);
      const started = performance.now();
      const outcomes = await Promise.allSettled(
        Array.from({ length: 60 }, (_, i) =>
          sdk.send(new PostToConnectionCommand({ ConnectionId: idOf(0), Data: `post ${i}` })),
        ),
      );
      const seconds = (performance.now() - started) / 1000;
      sdk.destroy();
      const refused = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
      const passed = outcomes.length - refused.length;
      // The connect took a token; the bucket then holds the rest of its burst plus what the rate refilled.
      expect(passed).toBeGreaterThanOrEqual(9);
      expect(passed).toBeLessThanOrEqual(10 + Math.ceil(20 * seconds));
      expect(refused.length).toBeGreaterThan(0);
      for (const error of refused) {
        expect(error).toBeInstanceOf(LimitExceededException);
        // Both the name and the status are what the SDK's retry strategy classifies as throttling.
        expect(error).toMatchObject({ name: 'LimitExceededException', $metadata: { httpStatusCode: 429 } });
      }
      expect(local.api.throttles.throttled.managementCalls).toBe(refused.length);
      await client.waitForFrames(passed);
    });

    it('lets a broadcast throttled by the quota finish through the gateway retries, and counts them', async () => {
      local = await startLocalApi(recording, { accountThrottle: { ratePerSecond: 50, burst: 10 } });
      const receivers = await connect(10);
      const ids = receivers.map((_, index) => toConnectionId(idOf(index)));
      const gateway = new ApiGatewayMessageGateway({
        endpoint: local.endpoint,
        region: 'local',
        credentials: LOCAL_CREDENTIALS,
        // Patient enough that no post runs out of tries while 16 of them share 50 tokens a second.
        retry: { maxAttempts: 100, baseDelayMs: 10, maxDelayMs: 200, maxTotalMs: 30_000 },
      });
      const perReceiver = 10;
      const posts = ids.flatMap((id) => Array.from({ length: perReceiver }, (_, seq) => ({ id, frame: `m${seq}` })));
      // Sixteen at a time, as a broadcast bounds its deliveries.
      const outcomes: string[] = [];
      await Promise.all(
        Array.from({ length: 16 }, async () => {
          for (let next = posts.shift(); next !== undefined; next = posts.shift()) {
            outcomes.push(await gateway.post(next.id, next.frame));
          }
        }),
      );
      gateway.destroy();
      expect(outcomes.filter((outcome) => outcome === 'delivered')).toHaveLength(10 * perReceiver);
      await Promise.all(receivers.map((receiver) => receiver.waitForFrames(perReceiver)));
      for (const receiver of receivers) expect(new Set(receiver.frames).size).toBe(perReceiver);
      expect(gateway.stats.throttledRetries).toBeGreaterThan(0);
      expect(gateway.stats.throttledRetries).toBe(local.api.throttles.throttled.managementCalls);
      expect(gateway.stats.undelivered).toBe(0);
    });
  });

  describe("the stage's route throttling", () => {
    it('answers a throttled message with API Gateway\'s "Too Many Requests" frame and invokes nothing for it', async () => {
      local = await startLocalApi(recording, { stageThrottle: { ratePerSecond: 1, burst: 3 } });
      const [client] = (await connect(1)) as [ChatClient];
      for (let i = 0; i < 10; i++) client.sendMessage(`m${i}`);
      const frames = await client.waitForFrames(7);
      await delay(300);
      expect(client.frames).toHaveLength(7);
      for (const frame of frames) expect(frame).toMatch(THROTTLED_FRAME);
      expect(JSON.parse(frames[0] as string).connectionId).toBe(idOf(0));
      expect(events.filter((event) => event.requestContext.routeKey === 'sendMessage')).toHaveLength(3);
      // Each route has a bucket of its own: $default is not throttled by sendMessage's.
      client.send('not json');
      await eventually(() => events.some((event) => event.requestContext.routeKey === '$default'));
    });

    it('refuses an upgrade past the $connect route throttle with 429, before $connect runs', async () => {
      local = await startLocalApi(recording, { stageThrottle: { ratePerSecond: 1, burst: 2 } });
      await connect(2);
      await expect(ChatClient.connect(local.url)).rejects.toThrow(/429/);
      expect(events.filter((event) => event.requestContext.eventType === 'CONNECT')).toHaveLength(2);
      expect(local.api.throttles.throttled.upgrades).toBe(1);
    });
  });

  describe('new connections per second', () => {
    it('refuses upgrades past the rate with 429, and accepts again once the bucket refills', async () => {
      local = await startLocalApi(recording, { newConnectionsThrottle: { ratePerSecond: 5, burst: 5 } });
      await connect(5);
      await expect(ChatClient.connect(local.url)).rejects.toThrow(/429/);
      expect(events.filter((event) => event.requestContext.eventType === 'CONNECT')).toHaveLength(5);
      await delay(250);
      await expect(connect(1)).resolves.toHaveLength(1);
    });
  });

  describe('@connections grants', () => {
    it("refuses a method the caller's function is not granted with 403 AccessDeniedException", async () => {
      local = await startLocalApi(recording);
      local.api.setGrants(connectionsGrants(['$connect', 'sendMessage', FANOUT, AUTHORIZER]));
      const [client] = (await connect(1)) as [ChatClient];
      const id = idOf(0);
      /** What the call made with `accessKeyId`'s credentials failed with; undefined when it succeeded. */
      const failureAs = async (accessKeyId: string, call: (sdk: ApiGatewayManagementApiClient) => Promise<unknown>) => {
        const sdk = sdkAs(accessKeyId);
        try {
          return await call(sdk).then(
            () => undefined,
            (error: unknown) => error,
          );
        } finally {
          sdk.destroy();
        }
      };
      const post = (sdk: ApiGatewayManagementApiClient) =>
        sdk.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'hello' }));
      const remove = (sdk: ApiGatewayManagementApiClient) =>
        sdk.send(new DeleteConnectionCommand({ ConnectionId: id }));
      const inspect = (sdk: ApiGatewayManagementApiClient) => sdk.send(new GetConnectionCommand({ ConnectionId: id }));
      // $connect posts nothing on AWS, so its role has no ManageConnections at all.
      expect(await failureAs(accessKeyOf('$connect'), post)).toMatchObject({
        name: 'AccessDeniedException',
        $metadata: { httpStatusCode: 403 },
        message: expect.stringContaining('execute-api:ManageConnections on resource:'),
      });
      expect(await failureAs(accessKeyOf(AUTHORIZER), post)).toMatchObject({ $metadata: { httpStatusCode: 403 } });
      // The fan-out function posts but never cuts a client; no function describes one.
      expect(await failureAs(accessKeyOf(FANOUT), remove)).toMatchObject({ name: 'AccessDeniedException' });
      expect(await failureAs(accessKeyOf('sendMessage'), inspect)).toMatchObject({ name: 'AccessDeniedException' });
      expect(client.frames).toEqual([]);

      expect(await failureAs(accessKeyOf(FANOUT), post)).toBeUndefined();
      expect(await client.next()).toBe('hello');
      expect(await failureAs(accessKeyOf('sendMessage'), remove)).toBeUndefined();
      expect((await client.closed).code).toBe(1000);
    });
  });
});
