import { Validations } from 'aws-cdk-lib';
import { WebSocketRoute } from 'aws-cdk-lib/aws-apigatewayv2';
import { describe, expect, it } from 'vitest';
import type { ChatStack } from '../../infra/ChatStack.js';
import { AUTH_ENV, readAuthSettings } from '../../src/entrypoints/authSettings.js';
import { noBundling, routeKeys, type SynthesizedChat, synthChatStack } from './synthChatStack.js';

const jwksUrl = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example/.well-known/jwks.json';
const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example';
const cognito = { authJwksUrl: jwksUrl, authIssuer: issuer, authAudience: 'client123' };

type Resource = { Type: string; Properties: Record<string, unknown> };
const resourcesOf = (chat: SynthesizedChat) => chat.template.toJSON().Resources as Record<string, Resource>;
const ofType = (chat: SynthesizedChat, type: string) =>
  Object.entries(resourcesOf(chat)).filter(([, resource]) => resource.Type === type);

/** The authorizer's function construct; fails the test when the stack has none. */
function authorizerOf(stack: ChatStack) {
  const authorizer = stack.connectAuthorizer;
  if (authorizer === undefined) throw new Error('no $connect authorizer');
  return authorizer;
}

/** Each route's authorization as the template declares it, by route key. */
function routeAuthorization(chat: SynthesizedChat): Record<string, unknown> {
  return Object.fromEntries(
    ofType(chat, 'AWS::ApiGatewayV2::Route').map(([, route]) => [
      route.Properties.RouteKey,
      { type: route.Properties.AuthorizationType, authorizer: route.Properties.AuthorizerId },
    ]),
  );
}

/** The route constructs of the API, by route key. */
function routesOf(stack: ChatStack): Map<string, WebSocketRoute> {
  const routes = stack.webSocket.api.node.children.filter((child) => child instanceof WebSocketRoute);
  return new Map(routes.map((route) => [route.routeKey, route]));
}

/** The reason a route itself gives for AwsSolutions-APIG4 (the metadata key carries a namespace), if any. */
const apig4ReasonOf = (route: WebSocketRoute): string | undefined =>
  route.node.metadata
    .filter((entry) => entry.type === Validations.ACKNOWLEDGED_RULES_METADATA_KEY)
    .flatMap((entry) => Object.entries(entry.data as Record<string, string>))
    .find(([id]) => id.endsWith('AwsSolutions-APIG4'))?.[1];

const variablesOf = (chat: SynthesizedChat, id: string) =>
  (resourcesOf(chat)[id]!.Properties.Environment as { Variables: Record<string, unknown> }).Variables;

describe('$connect authorizer', () => {
  describe('authMode=required with a Cognito key set', () => {
    const chat = synthChatStack({ ...noBundling, authMode: 'required', ...cognito });
    const { stack, idOf } = chat;
    const authorizer = authorizerOf(stack);
    const functionId = idOf(authorizer.function.function);
    const [[authorizerId, resource] = []] = ofType(chat, 'AWS::ApiGatewayV2::Authorizer');

    it('is one REQUEST authorizer of this API, invoking the authorize function, never cached', () => {
      expect(ofType(chat, 'AWS::ApiGatewayV2::Authorizer')).toHaveLength(1);
      expect(resource?.Properties).toEqual({
        ApiId: { Ref: idOf(stack.webSocket.api) },
        AuthorizerType: 'REQUEST',
        AuthorizerUri: {
          'Fn::Join': [
            '',
            [
              'arn:',
              { Ref: 'AWS::Partition' },
              ':apigateway:',
              { Ref: 'AWS::Region' },
              ':lambda:path/2015-03-31/functions/',
              { 'Fn::GetAtt': [functionId, 'Arn'] },
              '/invocations',
            ],
          ],
        },
        IdentitySource: ['route.request.querystring.token'],
        Name: 'ConnectAuthorizer',
      });
    });

    it('guards $connect and no other route (API Gateway allows no other)', () => {
      const expected = Object.fromEntries(
        routeKeys.map((route) => [
          route,
          route === '$connect'
            ? { type: 'CUSTOM', authorizer: { Ref: authorizerId } }
            : { type: 'NONE', authorizer: undefined },
        ]),
      );
      expect(routeAuthorization(chat)).toEqual(expected);
    });

    it('runs the authorize bundle on Node.js 24, arm64, 256 MB, 10 s, with its own log group', () => {
      expect(resourcesOf(chat)[functionId]?.Properties).toMatchObject({
        Runtime: 'nodejs24.x',
        Architectures: ['arm64'],
        Handler: 'index.handler',
        MemorySize: 256,
        Timeout: 10,
        LoggingConfig: { LogGroup: { Ref: idOf(authorizer.function.logGroup) } },
      });
      expect(resourcesOf(chat)[idOf(authorizer.function.logGroup)]?.Properties).toEqual({ RetentionInDays: 30 });
    });

    it('gives the function the auth settings and nothing else, in a form the authorizer accepts', () => {
      const variables = variablesOf(chat, functionId);
      expect(variables).toEqual({
        [AUTH_ENV.mode]: 'required',
        [AUTH_ENV.jwksUrl]: jwksUrl,
        [AUTH_ENV.issuer]: issuer,
        [AUTH_ENV.audience]: 'client123',
      });
      const settings = readAuthSettings(variables as Record<string, string>);
      expect(settings).toMatchObject({ mode: 'required', allowedOrigins: undefined });
      expect(settings.verifier).toMatchObject({ issuer, audience: 'client123', keys: { kind: 'jwks' } });
    });

    it('gives the auth settings to no route function', () => {
      for (const route of routeKeys) {
        const names = Object.keys(variablesOf(chat, chat.functionId(route)));
        expect(names.filter((name) => (Object.values(AUTH_ENV) as string[]).includes(name))).toEqual([]);
      }
    });

    it('has a role that may write its own log group and do nothing else', () => {
      const roleId = idOf(authorizer.function.role);
      const role = resourcesOf(chat)[roleId];
      expect(role?.Properties.ManagedPolicyArns).toBeUndefined();
      expect(role?.Properties.Policies).toBeUndefined();
      const policies = ofType(chat, 'AWS::IAM::Policy').filter(([, policy]) =>
        JSON.stringify(policy.Properties.Roles).includes(JSON.stringify({ Ref: roleId })),
      );
      expect(policies).toHaveLength(1);
      const [[, policy] = []] = policies;
      expect(policy?.Properties.Roles).toEqual([{ Ref: roleId }]);
      expect(policy?.Properties.PolicyDocument).toEqual({
        Version: '2012-10-17',
        Statement: [
          {
            Action: ['logs:CreateLogStream', 'logs:PutLogEvents'],
            Effect: 'Allow',
            Resource: { 'Fn::GetAtt': [idOf(authorizer.function.logGroup), 'Arn'] },
          },
        ],
      });
    });

    it("may be invoked by API Gateway only as this API's authorizer, not by any API or route", () => {
      const permissions = ofType(chat, 'AWS::Lambda::Permission').filter(
        ([, permission]) =>
          JSON.stringify(permission.Properties.FunctionName) === JSON.stringify({ 'Fn::GetAtt': [functionId, 'Arn'] }),
      );
      expect(permissions.map(([, permission]) => permission.Properties)).toEqual([
        {
          Action: 'lambda:InvokeFunction',
          FunctionName: { 'Fn::GetAtt': [functionId, 'Arn'] },
          Principal: 'apigateway.amazonaws.com',
          SourceArn: {
            'Fn::Join': [
              '',
              [
                'arn:',
                { Ref: 'AWS::Partition' },
                ':execute-api:',
                { Ref: 'AWS::Region' },
                ':',
                { Ref: 'AWS::AccountId' },
                ':',
                { Ref: idOf(stack.webSocket.api) },
                '/authorizers/',
                { Ref: authorizerId },
              ],
            ],
          },
        },
      ]);
      expect(JSON.stringify(permissions)).not.toContain('*');
    });

    it('adds exactly one function with its role, policy, log group and permission, and the authorizer', () => {
      const counts: Record<string, number> = {};
      for (const { Type } of Object.values(resourcesOf(chat))) counts[Type] = (counts[Type] ?? 0) + 1;
      const routes = routeKeys.length;
      // The routes' functions, the fan-out function, and the authorizer.
      const functions = routes + 2;
      expect(counts).toMatchObject({
        'AWS::Lambda::Function': functions,
        // API Gateway may invoke each route's function and the authorizer, not the fan-out function.
        'AWS::Lambda::Permission': routes + 1,
        // Each function's role, the authorizer's among them (no account logging role by default).
        'AWS::IAM::Role': functions,
        'AWS::IAM::Policy': functions,
        'AWS::Logs::LogGroup': functions + 1,
        'AWS::ApiGatewayV2::Authorizer': 1,
      });
    });

    it('drops the APIG4 acknowledgement on $connect and keeps it, with its reason, on the other routes', () => {
      for (const [routeKey, route] of routesOf(stack)) {
        if (routeKey === '$connect') expect(apig4ReasonOf(route)).toBeUndefined();
        else
          expect(apig4ReasonOf(route), routeKey).toMatch(/other than \$connect.*that \$connect's authorizer admitted/);
      }
    });
  });

  describe('authMode=optional', () => {
    const chat = synthChatStack({
      ...noBundling,
      authMode: 'optional',
      ...cognito,
      allowedOrigins: 'https://a.example',
    });
    const functionId = chat.idOf(authorizerOf(chat.stack).function.function);

    it('takes Host as identity source, so that a client without a token still reaches the function', () => {
      const [[, resource] = []] = ofType(chat, 'AWS::ApiGatewayV2::Authorizer');
      expect(resource?.Properties.IdentitySource).toEqual(['route.request.header.Host']);
      expect(resource?.Properties.AuthorizerResultTtlInSeconds).toBeUndefined();
    });

    it('gives the function the mode, the key set and the origins', () => {
      expect(variablesOf(chat, functionId)).toEqual({
        [AUTH_ENV.mode]: 'optional',
        [AUTH_ENV.jwksUrl]: jwksUrl,
        [AUTH_ENV.issuer]: issuer,
        [AUTH_ENV.audience]: 'client123',
        [AUTH_ENV.allowedOrigins]: 'https://a.example',
      });
    });
  });

  describe('origins only (authMode none)', () => {
    const chat = synthChatStack({ ...noBundling, allowedOrigins: 'https://a.example,https://b.example' });
    const functionId = chat.idOf(authorizerOf(chat.stack).function.function);

    it('still decides on $connect, from Host, with no key set', () => {
      const [[, resource] = []] = ofType(chat, 'AWS::ApiGatewayV2::Authorizer');
      expect(resource?.Properties.IdentitySource).toEqual(['route.request.header.Host']);
      expect(variablesOf(chat, functionId)).toEqual({
        [AUTH_ENV.mode]: 'none',
        [AUTH_ENV.allowedOrigins]: 'https://a.example,https://b.example',
      });
      expect(readAuthSettings(variablesOf(chat, functionId) as Record<string, string>)).toEqual({
        mode: 'none',
        allowedOrigins: ['https://a.example', 'https://b.example'],
      });
    });
  });

  describe('authMode=none without origins (the default)', () => {
    const chat = synthChatStack(noBundling);

    it('has no authorizer: anyone holding the URL may connect, as in the original chat', () => {
      expect(chat.stack.connectAuthorizer).toBeUndefined();
      expect(ofType(chat, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
      expect(Object.values(routeAuthorization(chat))).toEqual(
        routeKeys.map(() => ({ type: 'NONE', authorizer: undefined })),
      );
    });

    it('keeps the APIG4 acknowledgement on every route, $connect included', () => {
      for (const route of routesOf(chat.stack).values()) expect(apig4ReasonOf(route)).toMatch(/anonymous/i);
    });
  });
});
