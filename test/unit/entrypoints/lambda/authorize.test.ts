import type { APIGatewayRequestAuthorizerEvent } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { signHs256, TEST_SECRET } from '../../../support/jwt.js';

const METHOD_ARN = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/production/$connect';

const event = (query: Record<string, string> = {}, headers: Record<string, string> = {}) =>
  ({
    type: 'REQUEST',
    methodArn: METHOD_ARN,
    headers,
    queryStringParameters: query,
    requestContext: {},
  }) as unknown as APIGatewayRequestAuthorizerEvent;

describe('authorize handler', () => {
  let handler: (event: APIGatewayRequestAuthorizerEvent) => Promise<unknown>;
  const logged: string[] = [];
  beforeAll(async () => {
    vi.stubEnv('AUTH_MODE', 'required');
    vi.stubEnv('AUTH_JWT_SECRET', TEST_SECRET);
    vi.stubEnv('ALLOWED_ORIGINS', 'https://chat.example');
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation((line) => {
        logged.push(String(line));
        return true;
      });
    }
    ({ handler } = await import('../../../../src/entrypoints/lambda/authorize.js'));
  });
  afterAll(() => {
    vi.unstubAllEnvs();
    vi.restoreAllMocks();
  });

  it('allows a valid token for this $connect only, and passes the identity to $connect', async () => {
    const token = await signHs256({ sub: 'alice-1', name: 'Alice' });
    expect(await handler(event({ token }))).toEqual({
      principalId: 'alice-1',
      policyDocument: {
        Version: '2012-10-17',
        Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: METHOD_ARN }],
      },
      context: { user: 'alice-1', name: 'Alice' },
    });
  });

  it('reads a bearer token from the Authorization header too', async () => {
    const token = await signHs256({ sub: 'bob' });
    expect(await handler(event({}, { Authorization: `Bearer ${token}` }))).toMatchObject({ principalId: 'bob' });
  });

  it('answers a missing or bad token with the Unauthorized error API Gateway turns into 401', async () => {
    await expect(handler(event())).rejects.toThrow(/^Unauthorized$/);
    await expect(handler(event({ token: 'not.a.jwt' }))).rejects.toThrow(/^Unauthorized$/);
  });

  it('denies an origin outside the allow-list: API Gateway answers 403', async () => {
    const token = await signHs256({ sub: 'carol' });
    const result = (await handler(event({ token }, { Origin: 'https://evil.example' }))) as {
      policyDocument: { Statement: Array<{ Effect: string; Resource: string }> };
    };
    expect(result.policyDocument.Statement).toEqual([
      { Action: 'execute-api:Invoke', Effect: 'Deny', Resource: METHOD_ARN },
    ]);
  });

  it('never logs a token', async () => {
    const token = await signHs256({ sub: 'dave' });
    await handler(event({ token: `${token}x` })).catch(() => {});
    await handler(event({ token }, { Origin: 'https://evil.example' }));
    expect(logged.length).toBeGreaterThan(0);
    for (const line of logged) {
      expect(line).not.toContain(token.slice(0, 20));
      expect(line).not.toContain('token=');
    }
  });
});
