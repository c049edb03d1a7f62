import { Worker } from 'node:worker_threads';
import type { APIGatewayProxyResultV2 } from 'aws-lambda';
import type { LocalWebSocketEvent } from './events.js';
import type { RouteHandler, RouteTable } from './LocalWebSocketApi.js';

/** An invocation as it crosses to a worker, and its answer. */
export interface InvocationRequest {
  readonly id: number;
  readonly routeKey: string;
  readonly event: LocalWebSocketEvent;
}
export type InvocationAnswer =
  | { readonly id: number; readonly result: APIGatewayProxyResultV2 | undefined }
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

/** A handler threw inside a worker; only its class name and message cross back. */
export class InvocationFailedError extends Error {
  readonly code = 'INVOCATION_FAILED';
}

interface Pending {
  resolve(result: APIGatewayProxyResultV2 | undefined): void;
  reject(error: Error): void;
}

/**
 * Lambda execution environments as worker threads: each loads the handler bundles once (module
 * scope, as a cold start does) and serves invocations; the pool hands each invocation to the
 * least busy one. Ordering per connection is the caller's (the emulator's queue) to keep.
 */
export class LambdaWorkerPool {
  private readonly workers: Array<{ worker: Worker; busy: number }> = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  /** Resolves once every worker has loaded its handlers; rejects if one fails to. */
  readonly ready: Promise<void>;

  constructor(workerUrl: URL, size: number, routes: Readonly<Record<string, string>>) {
    const loaded: Array<Promise<void>> = [];
    for (let i = 0; i < size; i++) {
      const worker = new Worker(workerUrl, { workerData: { routes } });
      const slot = { worker, busy: 0 };
      loaded.push(
        new Promise((resolve, reject) => {
          worker.once('message', () => resolve());
          worker.once('error', reject);
        }),
      );
      worker.on('message', (answer: InvocationAnswer | 'ready') => {
        if (answer === 'ready') return;
        slot.busy--;
        this.settle(answer);
      });
      worker.on('error', (error) => {
        for (const { reject } of this.pending.values()) reject(error);
        this.pending.clear();
      });
      this.workers.push(slot);
    }
    this.ready = Promise.all(loaded).then(() => undefined);
  }

  /** One handler per route key, each invoking that route in the pool. */
  routeTable(routeKeys: readonly string[]): RouteTable {
    const handler =
      (routeKey: string): RouteHandler =>
      (event) =>
        this.invoke(routeKey, event);
    return Object.fromEntries(routeKeys.map((routeKey) => [routeKey, handler(routeKey)]));
  }

  invoke(routeKey: string, event: LocalWebSocketEvent): Promise<APIGatewayProxyResultV2 | undefined> {
    const slot = this.workers.reduce((least, candidate) => (candidate.busy < least.busy ? candidate : least));
    const id = this.nextId++;
    slot.busy++;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, routeKey, event } satisfies InvocationRequest);
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map(({ worker }) => worker.terminate()));
  }

  private settle(answer: InvocationAnswer): void {
    const pending = this.pending.get(answer.id);
    if (pending === undefined) return;
    this.pending.delete(answer.id);
    if ('error' in answer) pending.reject(new InvocationFailedError(`${answer.error.name}: ${answer.error.message}`));
    else pending.resolve(answer.result);
  }
}
