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

/** One execution environment and the invocations it has not answered yet. */
interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  loaded: boolean;
}

/**
 * Lambda execution environments as worker threads: each loads the handler bundles once (module
 * scope, as a cold start does) and serves invocations; the pool hands each invocation to the
 * least busy one. An environment that crashes fails only its own invocations and is replaced,
 * as Lambda replaces one. Ordering per connection is the caller's (the emulator's queue) to keep.
 */
export class LambdaWorkerPool {
  private readonly slots: Slot[] = [];
  private nextId = 0;
  private closing = false;
  /** Resolves once every worker has loaded its handlers; rejects if one fails to. */
  readonly ready: Promise<void>;

  constructor(
    private readonly workerUrl: URL,
    size: number,
    private readonly routes: Readonly<Record<string, string>>,
  ) {
    this.ready = Promise.all(Array.from({ length: size }, (_, index) => this.spawn(index))).then(() => undefined);
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
    const slot = this.slots.reduce((least, candidate) =>
      candidate.pending.size < least.pending.size ? candidate : least,
    );
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      slot.pending.set(id, { resolve, reject });
      slot.worker.postMessage({ id, routeKey, event } satisfies InvocationRequest);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.map(({ worker }) => worker.terminate()));
  }

  /** Starts the environment of `index`; resolves once it has loaded its handlers. */
  private spawn(index: number): Promise<void> {
    const worker = new Worker(this.workerUrl, { workerData: { routes: this.routes } });
    const slot: Slot = { worker, pending: new Map(), loaded: false };
    this.slots[index] = slot;
    const loaded = new Promise<void>((resolve, reject) => {
      worker.once('message', () => resolve());
      worker.once('error', reject);
    });
    worker.on('message', (answer: InvocationAnswer | 'ready') => {
      if (answer === 'ready') slot.loaded = true;
      else this.settle(slot, answer);
    });
    const lost = (error: Error) => {
      for (const { reject } of slot.pending.values()) reject(error);
      slot.pending.clear();
      // Replace a crashed environment once; one that never loaded fails `ready` instead.
      if (this.closing || !slot.loaded || this.slots[index] !== slot) return;
      this.spawn(index).catch(() => {});
    };
    worker.on('error', lost);
    worker.on('exit', (code) => lost(new InvocationFailedError(`execution environment exited with code ${code}`)));
    return loaded;
  }

  private settle(slot: Slot, answer: InvocationAnswer): void {
    const pending = slot.pending.get(answer.id);
    if (pending === undefined) return;
    slot.pending.delete(answer.id);
    if ('error' in answer) pending.reject(new InvocationFailedError(`${answer.error.name}: ${answer.error.message}`));
    else pending.resolve(answer.result);
  }
}
