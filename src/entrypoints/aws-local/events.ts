import { randomBytes, randomUUID } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { APIGatewayEventWebsocketRequestContextV2, APIGatewayProxyWebsocketEventV2, Context } from 'aws-lambda';

/** The request context API Gateway sends, with the identity block the published type omits. */
export interface LocalRequestContext extends Omit<APIGatewayEventWebsocketRequestContextV2, 'messageId'> {
  /** Present on MESSAGE events only, as API Gateway sends them. */
  readonly messageId?: string;
  readonly identity: { readonly sourceIp: string; readonly userAgent?: string };
  readonly disconnectStatusCode?: number;
  readonly disconnectReason?: string;
  /** What the `$connect` authorizer allowed with: its context and principal id. */
  authorizer?: Record<string, unknown>;
}

/** A WebSocket event as API Gateway delivers it to a Lambda proxy integration. */
export interface LocalWebSocketEvent extends Omit<APIGatewayProxyWebsocketEventV2, 'requestContext'> {
  requestContext: LocalRequestContext;
  headers?: Record<string, string>;
  multiValueHeaders?: Record<string, string[]>;
}

/** What the emulator knows about one connection when it builds an event. */
export interface ConnectionFacts {
  readonly connectionId: string;
  readonly connectedAt: number;
  readonly sourceIp: string;
  readonly userAgent: string | undefined;
  readonly domainName: string;
  readonly stage: string;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const pad = (n: number) => String(n).padStart(2, '0');

/** API Gateway's `requestTime`: `28/Nov/2026:18:20:00 +0000`. */
function requestTime(epochMs: number): string {
  const d = new Date(epochMs);
  return `${pad(d.getUTCDate())}/${MONTHS[d.getUTCMonth()]}/${d.getUTCFullYear()}:${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} +0000`;
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';

/**
 * An id shaped like API Gateway's connection and request ids (`L0SM9cOFvHcCIhw=`): 15 letters or
 * digits and a closing `=`. No `+` or `/`, so an id goes into a `@connections/{id}` path as it is.
 */
export function newConnectionId(): string {
  return shortId();
}

/**
 * The frame API Gateway sends a client when it could not run the message's integration, in its
 * own spacing: `{"message": "Internal server error", "connectionId":"…", "requestId":"…"}`. For
 * a throttled message the text is "Too Many Requests", the 429 reason its throttling docs give.
 */
export function gatewayErrorFrame(message: string, connectionId: string, requestId: string): string {
  return `{"message": ${JSON.stringify(message)}, "connectionId":${JSON.stringify(connectionId)}, "requestId":${JSON.stringify(requestId)}}`;
}

/** A request id, in the same alphabet. */
export function newRequestId(): string {
  return shortId();
}

const shortId = () => {
  let id = '';
  while (id.length < 15) {
    // Bytes below 248 (4 x 62) only: no letter or digit is likelier than another.
    for (const byte of randomBytes(16)) if (byte < 248 && id.length < 15) id += ALPHABET[byte % 62];
  }
  return `${id}=`;
};

function requestContext(
  facts: ConnectionFacts,
  routeKey: string,
  eventType: LocalRequestContext['eventType'],
): LocalRequestContext {
  const now = Date.now();
  return {
    routeKey,
    // API Gateway numbers client messages only: CONNECT and DISCONNECT events carry no messageId.
    ...(eventType === 'MESSAGE' ? { messageId: shortId() } : {}),
    eventType,
    extendedRequestId: shortId(),
    requestTime: requestTime(now),
    messageDirection: 'IN',
    stage: facts.stage,
    connectedAt: facts.connectedAt,
    requestTimeEpoch: now,
    identity: { sourceIp: facts.sourceIp, ...(facts.userAgent === undefined ? {} : { userAgent: facts.userAgent }) },
    requestId: shortId(),
    domainName: facts.domainName,
    connectionId: facts.connectionId,
    apiId: 'local',
  };
}

/** `$connect`: headers and query string of the upgrade request. */
export function connectEvent(
  facts: ConnectionFacts,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): LocalWebSocketEvent {
  const single: Record<string, string> = {};
  const multi: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    single[name] = values.join(',');
    multi[name] = values;
  }
  const params: Record<string, string> = {};
  const multiParams: Record<string, string[]> = {};
  for (const [name, value] of query) {
    params[name] = value;
    multiParams[name] = [...(multiParams[name] ?? []), value];
  }
  const hasQuery = Object.keys(params).length > 0;
  return {
    headers: single,
    multiValueHeaders: multi,
    ...(hasQuery ? { queryStringParameters: params, multiValueQueryStringParameters: multiParams } : {}),
    requestContext: requestContext(facts, '$connect', 'CONNECT'),
    isBase64Encoded: false,
  };
}

/** A client's text message routed to `routeKey` (binary frames close their connection instead). */
export function messageEvent(facts: ConnectionFacts, routeKey: string, body: string): LocalWebSocketEvent {
  return { requestContext: requestContext(facts, routeKey, 'MESSAGE'), body, isBase64Encoded: false };
}

/** `$disconnect`, with the close code and reason API Gateway reports. */
export function disconnectEvent(facts: ConnectionFacts, code: number, reason: string): LocalWebSocketEvent {
  return {
    headers: { Host: facts.domainName },
    multiValueHeaders: { Host: [facts.domainName] },
    requestContext: {
      ...requestContext(facts, '$disconnect', 'DISCONNECT'),
      disconnectStatusCode: code,
      disconnectReason: reason,
    },
    isBase64Encoded: false,
  };
}

/** A Lambda context for one invocation of `functionName`, counting down its timeout. */
export function lambdaContext(functionName: string, timeoutMs = 30_000, memoryMb = 128): Context {
  const deadline = Date.now() + timeoutMs;
  const awsRequestId = randomUUID();
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: String(memoryMb),
    awsRequestId,
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: `local/${awsRequestId}`,
    getRemainingTimeInMillis: () => Math.max(0, deadline - Date.now()),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** The REQUEST authorizer's event for a `$connect`, as API Gateway builds it for a WebSocket API. */
export function authorizerEvent(
  facts: ConnectionFacts,
  headers: IncomingHttpHeaders,
  query: URLSearchParams,
): LocalWebSocketEvent & { type: 'REQUEST'; methodArn: string } {
  const connect = connectEvent(facts, headers, query);
  return {
    ...connect,
    type: 'REQUEST',
    methodArn: `arn:aws:execute-api:local:000000000000:local/${facts.stage}/$connect`,
  };
}
