import { parentPort, workerData } from 'node:worker_threads';
import { lambdaContext } from './events.js';
import type { EnvironmentData, InvocationAnswer, InvocationRequest } from './LambdaWorkerPool.js';
import type { RouteHandler } from './LocalWebSocketApi.js';

/**
 * One Lambda execution environment of the local API Gateway: loads the handler bundles of its
 * function (`workerData.routes`, route key to bundle URL) and runs the invocations it is sent,
 * each with a context that counts down the function's own timeout.
 */
const { routes, functionName, timeoutMs, memoryMb } = workerData as EnvironmentData;
const handlers = new Map<string, RouteHandler>();
for (const [routeKey, url] of Object.entries(routes)) {
  handlers.set(routeKey, ((await import(url)) as { handler: RouteHandler }).handler);
}

parentPort?.on('message', async ({ id, routeKey, event }: InvocationRequest) => {
  let answer: InvocationAnswer;
  try {
    const handler = handlers.get(routeKey);
    if (handler === undefined) throw new Error(`no handler for ${routeKey}`);
    answer = { id, result: (await handler(event, lambdaContext(functionName, timeoutMs, memoryMb))) ?? undefined };
  } catch (error) {
    const { name, message } = error instanceof Error ? error : new Error(String(error));
    answer = { id, error: { name, message } };
  }
  parentPort?.postMessage(answer);
});
parentPort?.postMessage('ready');
