import type { APIGatewayAuthorizerResult, APIGatewayRequestAuthorizerEvent, Context } from 'aws-lambda';
import { AuthorizeConnection } from '../../application/index.js';
import { createTokenVerifier, readAuthSettings } from '../authSettings.js';
import { connectAttempt } from '../connectRequest.js';
import { createLambdaLogger, logFailure, readObservabilitySettings } from './observability.js';

const settings = readAuthSettings(process.env);
// Module scope: the key set a JWKS verifier caches outlives one invocation.
const authorize = new AuthorizeConnection(settings, createTokenVerifier(settings));
const logger = createLambdaLogger(readObservabilitySettings(process.env));

/**
 * The REQUEST authorizer of `$connect`: API Gateway calls it before the upgrade. Allowed, the
 * connection's identity reaches `$connect` as `requestContext.authorizer` (`user`, `name`); a
 * missing or invalid token is answered 401 (the `Unauthorized` error API Gateway understands), a
 * refused origin 403 (a Deny policy scoped to this `$connect`). Keys that cannot be had fail the
 * call, which API Gateway answers 500. Nothing of the token is ever logged.
 */
export async function handler(
  event: APIGatewayRequestAuthorizerEvent,
  context?: Context,
): Promise<APIGatewayAuthorizerResult> {
  if (context !== undefined) logger.addContext(context);
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (value !== undefined) query.set(key, value);
  }
  let result: Awaited<ReturnType<AuthorizeConnection['execute']>>;
  try {
    result = await authorize.execute(connectAttempt(query, event.headers ?? undefined));
  } catch (error) {
    logFailure(logger, 'authorize.failed', error);
    throw error;
  }
  if (result.allowed) {
    const identity = result.identity;
    return {
      principalId: identity?.user ?? 'anonymous',
      policyDocument: policy('Allow', event.methodArn),
      ...(identity === undefined ? {} : { context: { user: identity.user ?? '', name: identity.name } }),
    };
  }
  logger.info('authorize.refused', { status: result.status });
  if (result.status === 401) throw new Error('Unauthorized');
  if (result.status === 403) return { principalId: 'refused', policyDocument: policy('Deny', event.methodArn) };
  throw new Error(result.reason);
}

function policy(effect: 'Allow' | 'Deny', methodArn: string): APIGatewayAuthorizerResult['policyDocument'] {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: methodArn }] };
}
