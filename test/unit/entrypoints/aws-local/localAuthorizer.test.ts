import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import type { ConnectionFacts, LocalWebSocketEvent } from '../../../../src/entrypoints/aws-local/events.js';
import type { RouteHandler } from '../../../../src/entrypoints/aws-local/LocalWebSocketApi.js';
import { authorizeUpgrade, type LocalAuthorizer } from '../../../../src/entrypoints/aws-local/localAuthorizer.js';

const facts: ConnectionFacts = {
  connectionId: 'abc=',
  connectedAt: Date.now(),
  sourceIp: '127.0.0.1',
  userAgent: undefined,
  domainName: '127.0.0.1:4000',
  stage: 'test',
};

/** An authorizer function that answers `result` (or throws it) and records each event it is invoked with. */
function authorizer(
  result: unknown,
  identitySource: LocalAuthorizer['identitySource'] = 'route.request.querystring.token',
) {
  const invocations: LocalWebSocketEvent[] = [];
  const handler: RouteHandler = async (event) => {
    invocations.push(event);
    if (result instanceof Error) throw result;
    return result as Awaited<ReturnType<RouteHandler>>;
  };
  return { local: { handler, identitySource } satisfies LocalAuthorizer, invocations };
}

const policy = (effect: string, extra: Record<string, unknown> = {}) => ({
  principalId: 'user-1',
  policyDocument: { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect }] },
  ...extra,
});

const upgrade = (headers: Record<string, string> = { host: facts.domainName }) => ({ headers }) as IncomingMessage;

describe('authorizeUpgrade', () => {
  it.each([
    ['no token parameter', ''],
    ['an empty token parameter', 'token='],
  ])('answers %s with 401 without invoking the authorizer', async (_, search) => {
    const { local, invocations } = authorizer(policy('Allow'));
    expect(await authorizeUpgrade(local, upgrade(), new URLSearchParams(search), facts)).toEqual({ status: 401 });
    expect(invocations).toEqual([]);
  });

  it('invokes the authorizer with the REQUEST event of this $connect, query string and headers included', async () => {
    const { local, invocations } = authorizer(policy('Allow'));
    await authorizeUpgrade(local, upgrade(), new URLSearchParams('token=t0k&format=json'), facts);
    expect(invocations).toHaveLength(1);
    expect(invocations[0]).toMatchObject({
      type: 'REQUEST',
      methodArn: 'arn:aws:execute-api:local:000000000000:local/test/$connect',
      queryStringParameters: { token: 't0k', format: 'json' },
      headers: { host: facts.domainName },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: facts.connectionId },
    });
  });

  it('answers an Allow with its context and principal id, for $connect to see as requestContext.authorizer', async () => {
    const { local } = authorizer(policy('Allow', { context: { user: 'user-1', name: 'Ann' } }));
    expect(await authorizeUpgrade(local, upgrade(), new URLSearchParams('token=t'), facts)).toEqual({
      context: { user: 'user-1', name: 'Ann', principalId: 'user-1' },
    });
  });

  it('answers an Allow without a context with the principal id alone', async () => {
    const { local } = authorizer(policy('Allow'));
    expect(await authorizeUpgrade(local, upgrade(), new URLSearchParams('token=t'), facts)).toEqual({
      context: { principalId: 'user-1' },
    });
  });

  it.each([
    ['a Deny', policy('Deny')],
    ['a policy with no statement', { principalId: 'x', policyDocument: { Statement: [] } }],
    ['no policy at all', undefined],
  ])('answers %s with 403', async (_, result) => {
    const { local, invocations } = authorizer(result);
    expect(await authorizeUpgrade(local, upgrade(), new URLSearchParams('token=t'), facts)).toEqual({ status: 403 });
    expect(invocations).toHaveLength(1);
  });

  it("answers the authorizer's Unauthorized error with 401 and any other failure with 500", async () => {
    const query = new URLSearchParams('token=t');
    const unauthorized = authorizer(new Error('Unauthorized')).local;
    expect(await authorizeUpgrade(unauthorized, upgrade(), query, facts)).toEqual({ status: 401 });
    const failing = authorizer(new Error('keys unavailable')).local;
    expect(await authorizeUpgrade(failing, upgrade(), query, facts)).toEqual({ status: 500 });
  });

  describe('with the Host header as identity source (optional mode)', () => {
    it('invokes the authorizer without a token, so anonymous clients get in', async () => {
      const { local, invocations } = authorizer(policy('Allow'), 'route.request.header.Host');
      expect(await authorizeUpgrade(local, upgrade(), new URLSearchParams(), facts)).toEqual({
        context: { principalId: 'user-1' },
      });
      expect(invocations).toHaveLength(1);
    });

    it('answers a request without a Host header with 401 without invoking the authorizer', async () => {
      const { local, invocations } = authorizer(policy('Allow'), 'route.request.header.Host');
      expect(await authorizeUpgrade(local, upgrade({}), new URLSearchParams('token=t'), facts)).toEqual({
        status: 401,
      });
      expect(invocations).toEqual([]);
    });
  });
});
