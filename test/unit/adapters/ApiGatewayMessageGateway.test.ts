import { type ApiGatewayManagementApiClient, GoneException } from '@aws-sdk/client-apigatewaymanagementapi';
import { describe, expect, it } from 'vitest';
import { ApiGatewayMessageGateway, backoffMs } from '../../../src/adapters/apigateway/index.js';
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

const FAST_RETRY = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 4, maxTotalMs: 1000 };

const withStatus = (status: number) =>
  Object.assign(new Error(`status ${status}`), { $metadata: { httpStatusCode: status } });

/** A gateway whose client fails each send with the next of `statuses`, then succeeds. */
function scripted(statuses: readonly number[], retry = FAST_RETRY) {
  let sends = 0;
  const gateway = new ApiGatewayMessageGateway(
    { endpoint: 'https://fixed.example/prod', retry },
    fakeClients(async () => {
      const status = statuses[sends++];
      if (status !== undefined) throw withStatus(status);
    }).clientFor,
  );
  return { gateway, sends: () => sends };
}

const failing = (error: unknown) =>
  new ApiGatewayMessageGateway(
    { endpoint: 'https://fixed.example/prod', retry: FAST_RETRY },
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

    it('retries a throttled post (429) until it goes through, counting the retries', async () => {
      const { gateway, sends } = scripted([429, 429]);
      await expect(gateway.post(newId(), 'x')).resolves.toBe('delivered');
      expect(sends()).toBe(3);
      expect(gateway.stats).toEqual({ throttledRetries: 2, failedRetries: 0, undelivered: 0 });
    });

    it('retries a post the service failed (5xx)', async () => {
      const { gateway, sends } = scripted([500, 503]);
      await expect(gateway.post(newId(), 'x')).resolves.toBe('delivered');
      expect(sends()).toBe(3);
      expect(gateway.stats.failedRetries).toBe(2);
    });

    it('gives up after the maximum number of tries, counting the post undelivered', async () => {
      const { gateway, sends } = scripted([429, 429, 429, 429, 429, 429]);
      await expect(gateway.post(newId(), 'x')).rejects.toThrow(/status 429/);
      expect(sends()).toBe(FAST_RETRY.maxAttempts);
      expect(gateway.stats).toEqual({ throttledRetries: 3, failedRetries: 0, undelivered: 1 });
    });

    it('gives up once the total time bound would be passed', async () => {
      const retry = { maxAttempts: 100, baseDelayMs: 20, maxDelayMs: 20, maxTotalMs: 60 };
      const { gateway, sends } = scripted(
        Array.from({ length: 100 }, () => 503),
        retry,
      );
      await expect(gateway.post(newId(), 'x')).rejects.toThrow(/status 503/);
      // Each wait is under 20 ms, so the 60 ms bound allows some retries, never a hundred.
      expect(sends()).toBeGreaterThan(1);
      expect(sends()).toBeLessThan(100);
    });

    it('retries a post whose request timed out or was reset before any answer', async () => {
      for (const failure of [
        Object.assign(new Error('timed out'), { name: 'TimeoutError' }),
        Object.assign(new Error('reset'), { code: 'ECONNRESET' }),
      ]) {
        let sends = 0;
        const gateway = new ApiGatewayMessageGateway(
          { endpoint: 'https://fixed.example/prod', retry: FAST_RETRY },
          fakeClients(async () => {
            if (sends++ === 0) throw failure;
          }).clientFor,
        );
        await expect(gateway.post(newId(), 'x')).resolves.toBe('delivered');
        expect(sends).toBe(2);
        expect(gateway.stats.failedRetries).toBe(1);
      }
    });

    it('never retries a post that is gone', async () => {
      const { gateway, sends } = scripted([410]);
      await expect(gateway.post(newId(), 'x')).resolves.toBe('gone');
      expect(sends()).toBe(1);
    });

    it('rejects a retry policy without a try', () => {
      expect(() => new ApiGatewayMessageGateway({ retry: { ...FAST_RETRY, maxAttempts: 0 } })).toThrow(RangeError);
    });
  });

  describe('backoffMs', () => {
    it('draws below a bound that doubles per retry up to the cap', () => {
      const policy = { maxAttempts: 10, baseDelayMs: 50, maxDelayMs: 1000, maxTotalMs: 5000 };
      const top = () => 0.999999;
      expect([1, 2, 3, 4, 5, 6, 7].map((retry) => backoffMs(policy, retry, top))).toEqual([
        49, 99, 199, 399, 799, 999, 999,
      ]);
      expect(backoffMs(policy, 3, () => 0)).toBe(0);
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
