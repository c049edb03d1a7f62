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

/** What an execution environment is told about its function (its `workerData`). */
export interface EnvironmentData {
  /** Handler bundle URL by the route key it serves. */
  readonly routes: Readonly<Record<string, string>>;
  readonly functionName: string;
  readonly timeoutMs: number;
  readonly memoryMb: number;
}

/** A handler threw inside a worker, or its environment died; only a class name and message cross back. */
export class InvocationFailedError extends Error {
  readonly code: string = 'INVOCATION_FAILED';
}

/** The function ran past its configured timeout; Lambda stops it and reports the invocation failed. */
export class InvocationTimedOutError extends InvocationFailedError {
  override readonly code = 'INVOCATION_TIMED_OUT';
}

/** One Lambda function as the emulator runs it. */
export interface LambdaFunctionOptions extends Omit<EnvironmentData, 'timeoutMs'> {
  /** The function's configured timeout, in seconds. */
  readonly timeoutSeconds: number;
  /** Execution environments (worker threads) at most; more invocations share them. */
  readonly maxEnvironments: number;
  /** Environment variables of this function only, on top of the process's (its credentials). */
  readonly env?: Readonly<Record<string, string>>;
}

interface Pending {
  resolve(result: APIGatewayProxyResultV2 | undefined): void;
  reject(error: Error): void;
  /** Armed once the environment has loaded: a cold start's init does not count, as on Lambda. */
  timer?: NodeJS.Timeout;
}

/** One execution environment and the invocations it has not answered yet. */
interface Slot {
  readonly worker: Worker;
  readonly pending: Map<number, Pending>;
  /** Stopped at a timeout: takes no new invocation, and is ended once the others have settled. */
  retired: boolean;
  /** Its handlers are loaded (init is over). */
  loaded: boolean;
}

/**
 * One Lambda function's execution environments, as worker threads: each is started when every
 * other one is busy (a cold start: it loads the handler bundles, module scope and all), up to
 * `maxEnvironments`, and serves invocations; each invocation goes to the least busy one. An
 * invocation past the function's timeout fails with `Task timed out`, and its environment is
 * ended (at once, or as soon as the invocations sharing it have settled) so the late work stops,
 * as Lambda stops it. An environment that crashes fails only its own invocations.
 */
export class LambdaWorkerPool {
  private readonly slots: Slot[] = [];
  private readonly timeoutMs: number;
  private nextId = 0;
  private closing = false;
  /** Environments started so far (cold starts) and invocations that timed out. */
  readonly stats = { coldStarts: 0, timeouts: 0 };

  constructor(
    private readonly workerUrl: URL,
    private readonly options: LambdaFunctionOptions,
  ) {
    this.timeoutMs = options.timeoutSeconds * 1000;
  }

  get functionName(): string {
    return this.options.functionName;
  }

  /** The configured timeout this function's invocations are held to. */
  get timeoutSeconds(): number {
    return this.options.timeoutSeconds;
  }

  /** One handler per route key, each invoking that route in this function. */
  routeTable(routeKeys: readonly string[] = Object.keys(this.options.routes)): RouteTable {
    const handler =
      (routeKey: string): RouteHandler =>
      (event) =>
        this.invoke(routeKey, event);
    return Object.fromEntries(routeKeys.map((routeKey) => [routeKey, handler(routeKey)]));
  }

  invoke(routeKey: string, event: LocalWebSocketEvent): Promise<APIGatewayProxyResultV2 | undefined> {
    if (this.closing) return Promise.reject(new InvocationFailedError('the function is shutting down'));
    const slot = this.pick();
    const id = this.nextId++;
    return new Promise((resolve, reject) => {
      const pending: Pending = { resolve, reject };
      if (slot.loaded) this.arm(slot, id, pending);
      slot.pending.set(id, pending);
      slot.worker.postMessage({ id, routeKey, event } satisfies InvocationRequest);
    });
  }

  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.slots.splice(0).map(({ worker }) => worker.terminate()));
  }

  /** The least busy environment, or a new one when all are busy and the function may have more. */
  private pick(): Slot {
    const least = this.slots.reduce<Slot | undefined>(
      (best, slot) => (best === undefined || slot.pending.size < best.pending.size ? slot : best),
      undefined,
    );
    if (least !== undefined && (least.pending.size === 0 || this.slots.length >= this.options.maxEnvironments)) {
      return least;
    }
    return this.spawn();
  }

  private spawn(): Slot {
    const { routes, functionName, memoryMb, env } = this.options;
    const workerData: EnvironmentData = { routes, functionName, memoryMb, timeoutMs: this.timeoutMs };
    const worker = new Worker(this.workerUrl, { workerData, env: { ...process.env, ...env } });
    const slot: Slot = { worker, pending: new Map(), retired: false, loaded: false };
    this.slots.push(slot);
    this.stats.coldStarts++;
    worker.on('message', (answer: InvocationAnswer | 'ready') => {
      if (answer !== 'ready') return this.settle(slot, answer);
      slot.loaded = true;
      for (const [id, pending] of slot.pending) this.arm(slot, id, pending);
    });
    const lost = (error: Error) => {
      this.remove(slot);
      for (const { reject, timer } of slot.pending.values()) {
        clearTimeout(timer);
        reject(error);
      }
      slot.pending.clear();
    };
    worker.on('error', (error) => lost(new InvocationFailedError(`${error.name}: ${error.message}`)));
    worker.on('exit', (code) => lost(new InvocationFailedError(`execution environment exited with code ${code}`)));
    return slot;
  }

  private arm(slot: Slot, id: number, pending: Pending): void {
    pending.timer = setTimeout(() => this.timedOut(slot, id), this.timeoutMs);
  }

  private timedOut(slot: Slot, id: number): void {
    const pending = slot.pending.get(id);
    if (pending === undefined) return;
    slot.pending.delete(id);
    this.stats.timeouts++;
    const seconds = this.options.timeoutSeconds;
    pending.reject(new InvocationTimedOutError(`Task timed out after ${seconds.toFixed(2)} seconds`));
    slot.retired = true;
    this.remove(slot);
    if (slot.pending.size === 0) void slot.worker.terminate();
  }

  private settle(slot: Slot, answer: InvocationAnswer): void {
    const pending = slot.pending.get(answer.id);
    if (pending === undefined) return;
    slot.pending.delete(answer.id);
    clearTimeout(pending.timer);
    if ('error' in answer) pending.reject(new InvocationFailedError(`${answer.error.name}: ${answer.error.message}`));
    else pending.resolve(answer.result);
    if (slot.retired && slot.pending.size === 0) void slot.worker.terminate();
  }

  private remove(slot: Slot): void {
    const index = this.slots.indexOf(slot);
    if (index >= 0) this.slots.splice(index, 1);
  }
}
