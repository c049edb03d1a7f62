import { execFile } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUTH_ENV } from '../../src/entrypoints/authSettings.js';
import { jwksJson, newSigningKey, type SigningKey, signWith } from '../support/jwt.js';
import { repoRoot, synthChatStack } from './synthChatStack.js';

const run = promisify(execFile);

/** Loads the bundle as the Lambda runtime would and runs one event; a thrown error is an answer too. */
const invoker = `
const { handler } = require(process.argv[1]);
handler(JSON.parse(process.argv[2]), {}).then(
  (result) => process.stdout.write(JSON.stringify({ result })),
  (error) => process.stdout.write(JSON.stringify({ error: error.message })),
);`;

const issuer = 'https://cognito-idp.eu-west-1.amazonaws.com/eu-west-1_example';
const methodArn = 'arn:aws:execute-api:eu-west-1:123456789012:abc123/production/$connect';

/** A `$connect` REQUEST authorizer event as API Gateway sends it for a WebSocket API. */
const connectEvent = (query: Record<string, string>, headers: Record<string, string> = {}) => ({
  type: 'REQUEST',
  methodArn,
  headers: { Host: 'abc123.execute-api.eu-west-1.amazonaws.com', ...headers },
  queryStringParameters: query,
  requestContext: { routeKey: '$connect', eventType: 'CONNECT', connectionId: 'AAAA=', stage: 'production' },
});

async function serveJwks(keys: readonly SigningKey[]): Promise<{ server: Server; url: string }> {
  const server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(jwksJson(keys));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/.well-known/jwks.json` };
}

// The bundle CDK deploys for the authorizer (esbuild, CJS, jose inside), with the environment the
// stack gives it; only the key set's URL is swapped for a local one serving the test's key.
describe.each(['required', 'optional'])('the authorizer bundle under authMode=%s', (mode) => {
  const chat = synthChatStack({
    authMode: mode,
    authJwksUrl: `${issuer}/.well-known/jwks.json`,
    authIssuer: issuer,
    authAudience: 'client123',
    allowedOrigins: 'https://chat.example',
  });
  const authorizer = chat.stack.connectAuthorizer;
  let key: SigningKey;
  let jwks: Awaited<ReturnType<typeof serveJwks>>;

  beforeAll(async () => {
    key = await newSigningKey('k1');
    jwks = await serveJwks([key]);
  });
  afterAll(() => jwks?.server.close());

  const invoke = async (event: ReturnType<typeof connectEvent>) => {
    if (authorizer === undefined) throw new Error('no authorizer');
    const functionId = chat.idOf(authorizer.function.function);
    const { Variables } = chat.template.toJSON().Resources[functionId].Properties.Environment as {
      Variables: Record<string, string>;
    };
    const { stdout, stderr } = await run(
      process.execPath,
      ['-e', invoker, chat.bundleOfFunction(functionId), JSON.stringify(event)],
      {
        env: {
          PATH: process.env.PATH,
          NODE_PATH: join(repoRoot, 'node_modules'),
          ...Variables,
          [AUTH_ENV.jwksUrl]: jwks.url,
        },
      },
    );
    // The handler's log lines (Powertools writes them to stdout, as Lambda's console) come first;
    // the invoker prints the handler's answer last.
    const lines = stdout.trimEnd().split('\n');
    const answer = lines.pop() ?? '';
    return {
      ...(JSON.parse(answer) as { result?: Record<string, unknown>; error?: string }),
      logs: [...lines, stderr].join('\n'),
    };
  };
  const policy = (effect: string) => ({
    Version: '2012-10-17',
    Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }],
  });

  it('allows a valid token, with its subject as principal and the identity for $connect', async () => {
    const token = await signWith(key, { sub: 'user-1', iss: issuer, aud: 'client123', 'cognito:username': 'ann' });
    const { result, logs } = await invoke(connectEvent({ token }));
    expect(result).toEqual({
      principalId: 'user-1',
      policyDocument: policy('Allow'),
      context: { user: 'user-1', name: 'ann' },
    });
    expect(logs).not.toContain(token);
  });

  it('answers Unauthorized to a token for another audience, and logs no part of it', async () => {
    const token = await signWith(key, { sub: 'user-1', iss: issuer, aud: 'another-client' });
    const { error, logs } = await invoke(connectEvent({ token }));
    expect(error).toBe('Unauthorized');
    for (const part of token.split('.')) expect(logs).not.toContain(part);
  });

  it('denies an origin that is not allowed', async () => {
    const token = await signWith(key, { sub: 'user-1', iss: issuer, aud: 'client123' });
    const { result } = await invoke(connectEvent({ token }, { Origin: 'https://evil.example' }));
    expect(result).toMatchObject({ policyDocument: policy('Deny') });
  });

  it(`${mode === 'optional' ? 'lets in' : 'refuses'} a client without a token`, async () => {
    const answer = await invoke(connectEvent({}, { Origin: 'https://chat.example' }));
    if (mode === 'optional')
      expect(answer.result).toEqual({ principalId: 'anonymous', policyDocument: policy('Allow') });
    else expect(answer.error).toBe('Unauthorized');
  });
});
