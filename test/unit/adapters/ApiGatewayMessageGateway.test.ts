import { type ApiGatewayManagementApiClient, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { ApiGatewayMessageGateway } from '../../../src/adapters/apigateway/index.js';
import { newId } from '../../support/fakes.js';

/** A client stand-in that records the endpoint it serves and answers every send with `outcome`. */
function fakeClients(outcome: (endpoint: string) => Promise<unknown>) {
  const made: string[] = [];
  const clientFor = (endpoint: string) => {
    made.push(endpoint);
    return { send: () => outcome(endpoint) } as unknown as ApiGatewayManagementApiClient;
  };
  return { made, clientFor };
}

const failing = (error: unknown) =>
  new ApiGatewayMessageGateway(
    { endpoint: 'https://fixed.example/prod' },
    fakeClients(async () => {
      throw error;
    }).clientFor,
  );

describe('ApiGatewayMessageGateway', () => {
  describe('post', () => {
    it('reports GoneException as gone', async () => {
      const gone = new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
      await expect(failing(gone).post(newId(), 'x')).resolves.toBe('gone');
    });

    it('reports any error with HTTP status 410 as gone, whatever its class', async () => {
      const renamed = Object.assign(new Error('Gone'), { $metadata: { httpStatusCode: 410 } });
      await expect(failing(renamed).post(newId(), 'x')).resolves.toBe('gone');
    });

    it('lets every other failure propagate', async () => {
      const forbidden = Object.assign(new Error('Forbidden'), { $metadata: { httpStatusCode: 403 } });
      await expect(failing(forbidden).post(newId(), 'x')).rejects.toBe(forbidden);
    });
  });

  describe('within', () => {
    it("addresses posts to the event's endpoint, keeping one client per endpoint", async () => {
      const reached: string[] = [];
      const { made, clientFor } = fakeClients(async (endpoint) => void reached.push(endpoint));
      const gateway = new ApiGatewayMessageGateway({ endpoint: 'https://fixed.example/prod' }, clientFor);

      await gateway.post(newId(), 'outside');
      await Promise.all([
        gateway.within('https://a.example/dev', () => gateway.post(newId(), 'to a')),
        gateway.within('https://b.example/dev', async () => {
          await new Promise((resolve) => setTimeout(resolve, 5));
          return gateway.post(newId(), 'to b');
        }),
        gateway.within('https://a.example/dev', () => gateway.post(newId(), 'to a again')),
      ]);

      expect(reached.sort()).toEqual([
        'https://a.example/dev',
        'https://a.example/dev',
        'https://b.example/dev',
        'https://fixed.example/prod',
      ]);
      expect(made.sort()).toEqual(['https://a.example/dev', 'https://b.example/dev', 'https://fixed.example/prod']);
    });

    it('refuses a post that has no endpoint to go to', async () => {
      const gateway = new ApiGatewayMessageGateway({}, fakeClients(async () => undefined).clientFor);
      await expect(gateway.post(newId(), 'nowhere')).rejects.toThrow(/no Management API endpoint/);
    });
  });
});
