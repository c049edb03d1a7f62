import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloseCodes } from '../../adapters/ws/index.js';
import type { ConnectionsMethod } from '../lambda/routeAccess.js';
import type { LocalConnection } from './LocalConnection.js';

export interface ManagementApiOptions {
  readonly stage: string;
  /** API Gateway's limit on one posted message. */
  readonly maxMessageBytes: number;
  /** The open connection with this id, if any. */
  readonly lookup: (connectionId: string) => LocalConnection | undefined;
  /**
   * The methods the caller signing with this access key id is granted, or undefined for a key
   * that is no emulated function's (a test's or an operator's, which may do anything).
   */
  readonly grantsOf?: (accessKeyId: string) => readonly ConnectionsMethod[] | undefined;
  /** Takes a token of the account's throttle: false answers 429 `LimitExceededException`. */
  readonly admit?: () => boolean;
}

/** The connection id of a Management API path, `/{stage}/@connections/{id}`, or undefined. */
export function managementTarget(url: string, stage: string): string | undefined {
  const segments = (url.split('?')[0] ?? '').split('/').map((segment) => safeDecode(segment));
  if (segments.length !== 4 || segments[0] !== '' || segments[1] !== stage || segments[2] !== '@connections') {
    return undefined;
  }
  return segments[3] === '' ? undefined : segments[3];
}

/**
 * API Gateway's Management API as the SDK client calls it: `POST` delivers the body as one text
 * frame (under the emulator's slow-client rule), `GET` describes the connection, `DELETE`
 * closes it. An unknown or closed id answers 410 `GoneException`; errors carry
 * `x-amzn-ErrorType` as the service's do. Before any of that, as on AWS: the request must be
 * signed (403), its signer granted the method (403 `AccessDeniedException`), and the account's
 * throttle must have a token for it (429 `LimitExceededException`, which the SDK reports as a
 * throttling error).
 */
export async function serveManagementApi(
  request: IncomingMessage,
  response: ServerResponse,
  { stage, maxMessageBytes, lookup, grantsOf, admit }: ManagementApiOptions,
): Promise<void> {
  const id = managementTarget(request.url ?? '', stage);
  if (id === undefined) return fail(response, 403, 'ForbiddenException', 'Forbidden');
  const refusal = signatureProblem(request) ?? grantProblem(request, stage, id, grantsOf);
  if (refusal !== undefined) {
    request.resume();
    return fail(response, 403, refusal.type, refusal.message);
  }
  if (admit !== undefined && !admit()) {
    request.resume();
    return fail(response, 429, 'LimitExceededException', 'Rate exceeded');
  }
  const body = await readBody(request, maxMessageBytes);
  const connection = lookup(id);
  switch (request.method) {
    case 'POST': {
      if (body === undefined) return fail(response, 413, 'PayloadTooLargeException', 'Message too long');
      // A connection cut for falling behind on reading is gone too, as on API Gateway.
      if (connection === undefined || !connection.send(body)) return fail(response, 410, 'GoneException', 'Gone');
      response.writeHead(200, { 'content-type': 'application/json' }).end();
      return;
    }
    case 'GET': {
      if (connection === undefined || !connection.open) return fail(response, 410, 'GoneException', 'Gone');
      const { connectedAt, sourceIp, userAgent } = connection.facts;
      const described = {
        connectedAt: new Date(connectedAt).toISOString(),
        identity: { sourceIp, userAgent: userAgent ?? '' },
        lastActiveAt: new Date(connection.lastActiveAt).toISOString(),
      };
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(described));
      return;
    }
    case 'DELETE': {
      if (connection === undefined || !connection.open) return fail(response, 410, 'GoneException', 'Gone');
      connection.close(CloseCodes.normal, '');
      response.writeHead(204).end();
      return;
    }
    default:
      fail(response, 403, 'ForbiddenException', 'Forbidden');
  }
}

/**
 * The SigV4 signature's shape, as `@connections` requires one (any credentials pass: the
 * emulator has no secrets to check against): an `AWS4-HMAC-SHA256` Authorization header scoped to
 * `execute-api`, and its `x-amz-date`. Undefined when the shape is right.
 */
function signatureProblem(request: IncomingMessage): { type: string; message: string } | undefined {
  const authorization = request.headers.authorization;
  if (authorization === undefined) {
    return { type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token' };
  }
  const shape =
    /^AWS4-HMAC-SHA256 Credential=[^/\s]+\/\d{8}\/[^/\s]+\/execute-api\/aws4_request, ?SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}$/;
  const date = request.headers['x-amz-date'];
  if (!shape.test(authorization) || typeof date !== 'string' || !/^\d{8}T\d{6}Z$/.test(date)) {
    return { type: 'IncompleteSignatureException', message: 'Authorization header requires a SigV4 signature' };
  }
  return undefined;
}

/**
 * The caller's grant: the access key id of the signature names the function (each emulated
 * function signs with its own), whose ManageConnections grant must cover the method, as IAM
 * checks the role's policy on AWS. Undefined when the method is granted.
 */
function grantProblem(
  request: IncomingMessage,
  stage: string,
  connectionId: string,
  grantsOf: ManagementApiOptions['grantsOf'],
): { type: string; message: string } | undefined {
  const accessKeyId = /Credential=([^/\s]+)\//.exec(request.headers.authorization ?? '')?.[1];
  const granted = accessKeyId === undefined ? undefined : grantsOf?.(accessKeyId);
  const method = request.method ?? '';
  if (granted === undefined || (granted as readonly string[]).includes(method)) return undefined;
  const resource = `arn:aws:execute-api:local:000000000000:local/${stage}/${method}/@connections/${connectionId}`;
  return {
    type: 'AccessDeniedException',
    message: `User: ${accessKeyId} is not authorized to perform: execute-api:ManageConnections on resource: ${resource}`,
  };
}

function fail(response: ServerResponse, status: number, type: string, message: string): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'x-amzn-ErrorType': type })
    .end(JSON.stringify({ message }));
}

/** The whole body, or undefined once it exceeds `limit` (the rest is drained, not kept). */
async function readBody(request: IncomingMessage, limit: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= limit) chunks.push(chunk);
  }
  return size > limit ? undefined : Buffer.concat(chunks, size);
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}
