import type { IncomingMessage, ServerResponse } from 'node:http';

/** A function as the local Lambda API runs it: its payload in, its result out. */
export type LocalFunction = (payload: unknown) => Promise<unknown>;

/** Lambda's limit on an invocation's request payload. */
const MAX_PAYLOAD_BYTES = 1024 * 1024;

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations$/;

/**
 * Lambda's `Invoke` API, as the SDK's `LambdaClient` calls it (`POST /2015-03-31/functions/
 * {name}/invocations`), for the functions the emulator runs: `X-Amz-Invocation-Type: Event` is
 * answered 202 at once and the function runs afterwards, as Lambda's asynchronous queue runs it;
 * `RequestResponse` (the default) answers 200 with the function's result; `DryRun` 204. A
 * request without a SigV4 signature is refused 403, an unknown function 404, as Lambda does.
 */
export class LocalLambdaApi {
  private readonly functions = new Map<string, LocalFunction>();
  private readonly running = new Set<Promise<unknown>>();
  /** Invocations accepted, by function name. */
  readonly invocations = new Map<string, number>();

  constructor(private readonly onError: (error: unknown, functionName: string) => void = () => {}) {}

  /** Serves `name` (and its ARN's last part) with `run`. */
  register(name: string, run: LocalFunction): void {
    this.functions.set(name, run);
  }

  /** Answers `request` if it is an `Invoke` call; false when it is not one, for the next handler. */
  respond(request: IncomingMessage, response: ServerResponse): boolean {
    const match = INVOKE_PATH.exec((request.url ?? '').split('?')[0] ?? '');
    if (match === null || request.method !== 'POST') return false;
    this.serve(request, response, decodeURIComponent(match[1] as string)).catch((error: unknown) => {
      this.onError(error, 'lambda-invoke');
      if (!response.headersSent) fail(response, 500, 'ServiceException', 'Internal failure');
    });
    return true;
  }

  /** Resolves once every asynchronous invocation accepted so far has finished. */
  async settled(): Promise<void> {
    while (this.running.size > 0) await Promise.allSettled([...this.running]);
  }

  private async serve(request: IncomingMessage, response: ServerResponse, target: string): Promise<void> {
    const body = await readBody(request);
    if (!String(request.headers.authorization ?? '').startsWith('AWS4-HMAC-SHA256 ')) {
      return fail(response, 403, 'IncompleteSignatureException', 'Request is not signed');
    }
    // A function is named by its name or its ARN (`arn:aws:lambda:region:account:function:name`).
    const name = target.split(':').at(target.startsWith('arn:') ? 6 : 0) ?? target;
    const run = this.functions.get(name);
    if (run === undefined) return fail(response, 404, 'ResourceNotFoundException', `Function not found: ${target}`);
    if (body === undefined) return fail(response, 413, 'RequestTooLargeException', 'Request must be smaller than 1 MB');
    let payload: unknown;
    try {
      payload = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
    } catch {
      return fail(response, 400, 'InvalidRequestContentException', 'Could not parse request body into json');
    }
    const type = String(request.headers['x-amz-invocation-type'] ?? 'RequestResponse');
    if (type === 'DryRun') return void response.writeHead(204).end();
    this.invocations.set(name, (this.invocations.get(name) ?? 0) + 1);
    if (type === 'Event') {
      response.writeHead(202).end();
      const running = run(payload).catch((error: unknown) => this.onError(error, name));
      this.running.add(running);
      void running.finally(() => this.running.delete(running));
      return;
    }
    const result = await run(payload);
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(result ?? null));
  }
}

function fail(response: ServerResponse, status: number, type: string, message: string): void {
  response
    .writeHead(status, { 'content-type': 'application/json', 'x-amzn-ErrorType': type })
    .end(JSON.stringify({ Type: 'User', message }));
}

/** The whole body, or undefined once it exceeds Lambda's payload limit (the rest is drained, not kept). */
async function readBody(request: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= MAX_PAYLOAD_BYTES) chunks.push(chunk);
  }
  return size > MAX_PAYLOAD_BYTES ? undefined : Buffer.concat(chunks, size);
}
