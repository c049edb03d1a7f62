import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import { ApiGatewayMessageGateway } from '../../src/adapters/apigateway/index.js';
import { toConnectionId } from '../../src/domain/index.js';
import { LOCAL_CREDENTIALS } from '../../src/entrypoints/aws-local/localDynamo.js';
import { startLocalApi } from '../support/awsLocal.js';
import { ChatClient } from '../support/ChatClient.js';
import { type ConnectedClient, type GatewayHarness, messageGatewayContract } from './messageGatewayContract.js';

messageGatewayContract(
  'ApiGatewayMessageGateway (real SDK client, local Management API)',
  async (): Promise<GatewayHarness> => {
    const opened: string[] = [];
    const local = await startLocalApi({
      $connect: async (event) => {
        opened.push(event.requestContext.connectionId);
        return { statusCode: 200 };
      },
    });
    const gateway = new ApiGatewayMessageGateway({
      endpoint: local.endpoint,
      region: 'local',
      credentials: LOCAL_CREDENTIALS,
    });
    const clients: ChatClient[] = [];
    // Ids are learnt from the order of `$connect`, so connections are made one at a time.
    let queue: Promise<unknown> = Promise.resolve();
    const connectOne = async (): Promise<ConnectedClient> => {
      const before = opened.length;
      const chat = await ChatClient.connect(local.url);
      clients.push(chat);
      return { id: toConnectionId(opened[before] as string), client: chat };
    };
    return {
      gateway,
      connect() {
        const next = queue.then(connectOne);
        queue = next.catch(() => {});
        return next;
      },
      async close() {
        await Promise.all(clients.map((chat) => chat.close()));
        gateway.destroy();
        await local.close();
      },
    };
  },
);

/**
 * A Management API stand-in on loopback that answers each post with the next status of its
 * script (then 200), as API Gateway answers when the account's quota is spent (429 with
 * `LimitExceededException`) or the service fails (500): the real SDK client sees real responses.
 */
async function scriptedEndpoint(script: readonly number[]) {
  const seen: Array<{ path: string; body: string }> = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      seen.push({ path: request.url ?? '', body: Buffer.concat(chunks).toString() });
      const status = script[seen.length - 1] ?? 200;
      const type = status === 429 ? 'LimitExceededException' : 'InternalServerErrorException';
      if (status === 200) response.writeHead(200, { 'content-type': 'application/json' }).end();
      else
        response
          .writeHead(status, { 'content-type': 'application/json', 'x-amzn-ErrorType': type })
          .end(JSON.stringify({ message: type }));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: `http://127.0.0.1:${port}/test`,
    seen,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

describe('ApiGatewayMessageGateway against a throttling endpoint (real SDK client)', () => {
  const retry = { maxAttempts: 5, baseDelayMs: 5, maxDelayMs: 20, maxTotalMs: 2000 };
  const gatewayFor = (endpoint: string) =>
    new ApiGatewayMessageGateway({ endpoint, region: 'local', credentials: LOCAL_CREDENTIALS, retry });

  it('delivers a post answered 429, then 500, then 200, each retry counted', async () => {
    const fake = await scriptedEndpoint([429, 500]);
    const gateway = gatewayFor(fake.endpoint);
    try {
      await expect(gateway.post(toConnectionId('abc='), 'hello')).resolves.toBe('delivered');
      expect(fake.seen).toHaveLength(3);
      expect(new Set(fake.seen.map(({ path, body }) => `${path} ${body}`))).toEqual(
        new Set(['/test/@connections/abc%3D hello']),
      );
      expect(gateway.stats).toEqual({ throttledRetries: 1, failedRetries: 1, undelivered: 0 });
    } finally {
      gateway.destroy();
      await fake.close();
    }
  });

  it('gives up on a post throttled past its tries, and counts it undelivered', async () => {
    const fake = await scriptedEndpoint(Array.from({ length: 10 }, () => 429));
    const gateway = gatewayFor(fake.endpoint);
    try {
      await expect(gateway.post(toConnectionId('abc='), 'hello')).rejects.toMatchObject({
        $metadata: { httpStatusCode: 429 },
      });
      expect(fake.seen).toHaveLength(retry.maxAttempts);
      expect(gateway.stats.undelivered).toBe(1);
    } finally {
      gateway.destroy();
      await fake.close();
    }
  });
});
