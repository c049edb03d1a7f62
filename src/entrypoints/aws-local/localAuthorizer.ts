import type { IncomingMessage } from 'node:http';
import { authorizerEvent, type ConnectionFacts, lambdaContext } from './events.js';
import type { RouteHandler } from './LocalWebSocketApi.js';

/** A `$connect` authorizer as the stack deploys it: its function and its identity source. */
export interface LocalAuthorizer {
  readonly handler: RouteHandler;
  readonly identitySource: 'route.request.querystring.token' | 'route.request.header.Host';
}

/** Refused with an HTTP status, or allowed with the context `$connect` receives as `requestContext.authorizer`. */
export type AuthorizerVerdict = { readonly status: number } | { readonly context: Record<string, unknown> };

interface Policy {
  readonly principalId?: unknown;
  readonly policyDocument?: { readonly Statement?: ReadonlyArray<{ readonly Effect?: unknown }> };
  readonly context?: Record<string, unknown>;
}

/**
 * Runs the authorizer as API Gateway does for a WebSocket `$connect`: an identity source missing
 * from the request is 401 without an invocation; an `Unauthorized` error is 401; a Deny (or a
 * policy without an Allow) 403; any other failure 500; an Allow passes its context, with the
 * principal id, to `$connect`.
 */
export async function authorizeUpgrade(
  authorizer: LocalAuthorizer,
  request: IncomingMessage,
  query: URLSearchParams,
  facts: ConnectionFacts,
): Promise<AuthorizerVerdict> {
  const source =
    authorizer.identitySource === 'route.request.querystring.token' ? query.get('token') : request.headers.host;
  if (source === null || source === undefined || source === '') return { status: 401 };
  let result: Policy;
  try {
    const event = authorizerEvent(facts, request.headers, query);
    result = ((await authorizer.handler(event, lambdaContext('$authorizer'))) ?? {}) as Policy;
  } catch (error) {
    return { status: error instanceof Error && error.message.endsWith('Unauthorized') ? 401 : 500 };
  }
  const effects = result.policyDocument?.Statement?.map((statement) => statement.Effect) ?? [];
  if (effects.includes('Deny') || !effects.includes('Allow')) return { status: 403 };
  return { context: { ...result.context, principalId: result.principalId } };
}
