import { type ApiGatewayManagementApiClient, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { ApiGatewayMessageGateway } from '../../../src/adapters/apigateway/index.js';
import { newId } from '../../support/fakes.js';

/** A client stand-in that fails every send with `error`. */
const failingClient = (error: unknown) =>
  ({
    send: async () => {
      throw error;
    },
  }) as unknown as ApiGatewayManagementApiClient;

describe('ApiGatewayMessageGateway', () => {
  describe('post', () => {
    it('reports GoneException as gone', async () => {
      const gone = new GoneException({ message: 'Gone', $metadata: { httpStatusCode: 410 } });
      await expect(new ApiGatewayMessageGateway(failingClient(gone)).post(newId(), 'x')).resolves.toBe('gone');
    });

    it('reports any error with HTTP status 410 as gone, whatever its class', async () => {
      const renamed = Object.assign(new Error('Gone'), { $metadata: { httpStatusCode: 410 } });
      await expect(new ApiGatewayMessageGateway(failingClient(renamed)).post(newId(), 'x')).resolves.toBe('gone');
    });

    it('lets every other failure propagate', async () => {
      const forbidden = Object.assign(new Error('Forbidden'), { $metadata: { httpStatusCode: 403 } });
      await expect(new ApiGatewayMessageGateway(failingClient(forbidden)).post(newId(), 'x')).rejects.toBe(forbidden);
    });
  });
});
