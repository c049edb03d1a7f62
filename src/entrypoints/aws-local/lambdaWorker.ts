import { parentPort, workerData } from 'node:worker_threads';
import { lambdaContext } from './events.js';
import type { InvocationAnswer, InvocationRequest } from './LambdaWorkerPool.js';
import type { RouteHandler } from './LocalWebSocketApi.js';

/**
 * One Lambda execution environment of the local API Gateway: loads the handler bundles named in
 * `workerData.routes` (route key to bundle URL) and runs the invocations it is sent.
 */
const { routes } = workerData as { routes: Record<string, string> };
const handlers = new Map<string, RouteHandler>();
for (const [routeKey, url] of Object.entries(routes)) {
  handlers.set(routeKey, ((await import(url)) as { handler: RouteHandler }).handler);
}

parentPort?.on('message', async ({ id, routeKey, event }: InvocationRequest) => {
  let answer: InvocationAnswer;
  try {
    const handler = handlers.get(routeKey);
    if (handler === undefined) throw new Error(`no handler for ${routeKey}`);
    answer = { id, result: (await handler(event, lambdaContext(routeKey))) ?? undefined };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    answer = { id, error: { name, message } };
  }
  parentPort?.postMessage(answer);
});
parentPort?.postMessage('ready');
