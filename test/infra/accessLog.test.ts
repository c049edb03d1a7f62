import { describe, expect, it } from 'vitest';
import { noBundling, synthChatStack } from './synthChatStack.js';

const jwks = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example/.well-known/jwks.json';

/** What every configuration logs per request: ids, route, status, timing, error, address. */
const common = {
  requestId: '$context.requestId',
  requestTimeEpoch: '$context.requestTimeEpoch',
  connectionId: '$context.connectionId',
  eventType: '$context.eventType',
  routeKey: '$context.routeKey',
  status: '$context.status',
  integrationLatency: '$context.integrationLatency',
  error: '$context.error.message',
  sourceIp: '$context.identity.sourceIp',
};

/**
 * Where a token (or anything a client chose) could reach a log line: request parameters, the
 * authorizer's identity source or the context map it returns (only its principal id is allowed).
 */
const forbidden = [
  /querystring/i,
  /header/i,
  /token/i,
  /authorization/i,
  /identitySource/i,
  /\$request/,
  /\$input/,
  /\$stageVariables/,
  /\$context\.authorizer\.(?!principalId$)/,
];

describe('stage access log', () => {
  describe.each([
    ['authMode none', {}, common],
    [
      'authMode required',
      { authMode: 'required', authJwksUrl: jwks },
      { ...common, principalId: '$context.authorizer.principalId' },
    ],
    [
      'authMode optional with origins',
      { authMode: 'optional', authJwksUrl: jwks, allowedOrigins: 'https://chat.example' },
      { ...common, principalId: '$context.authorizer.principalId' },
    ],
  ])('%s', (_name, context, expected) => {
    const { template } = synthChatStack({ ...noBundling, ...context });
    const [stage] = Object.values(template.findResources('AWS::ApiGatewayV2::Stage'));
    const format = JSON.parse(stage?.Properties.AccessLogSettings.Format as string) as Record<string, unknown>;

    it('logs exactly the expected fields', () => {
      expect(format).toEqual(expected);
    });

    it('logs one $context variable per field, none that can carry a token or a query string', () => {
      for (const [field, value] of Object.entries(format)) {
        expect(value, field).toMatch(/^\$context(\.[A-Za-z]+)+$/);
        for (const pattern of forbidden) expect(value, field).not.toMatch(pattern);
      }
    });

    it('has no execution logging, whose data trace would log whole requests', () => {
      const settings = (stage?.Properties.DefaultRouteSettings ?? {}) as Record<string, unknown>;
      expect(settings.DataTraceEnabled).toBeUndefined();
      expect(settings.LoggingLevel).toBeUndefined();
      expect(stage?.Properties.RouteSettings).toBeUndefined();
    });
  });

  it('the checks catch a field that would log the token', () => {
    const leaks = ['$request.querystring.token', '$context.authorizer.token', '$request.header.Authorization'];
    for (const leak of leaks)
      expect(
        forbidden.some((pattern) => pattern.test(leak)),
        leak,
      ).toBe(true);
    expect(forbidden.some((pattern) => pattern.test('$context.authorizer.principalId'))).toBe(false);
  });
});
