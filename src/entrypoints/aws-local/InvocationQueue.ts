import type { FrameSource } from '../../adapters/ws/index.js';
import type { BudgetWaiter, InvocationBudget } from './InvocationBudget.js';

export interface InvocationQueueOptions {
  /** Invocations of this connection running at once; 1 runs them one at a time, in arrival order. */
  readonly concurrency: number;
  /** Messages received and not yet started beyond which the socket stops being read. */
  readonly maxWaiting: number;
  /** The emulator-wide bound on running invocations. */
  readonly budget: InvocationBudget;
}

/** One piece of a connection's work, and whether it is its close (started last, past every bound). */
export interface QueuedWork<T> {
  readonly item: T;
  readonly final: boolean;
}

/**
 * Starts one connection's invocations in arrival order, up to `concurrency` at a time and within
 * the emulator's budget, as API Gateway runs each message's integration without waiting for the
 * previous one. Past either bound, messages wait; once `maxWaiting` of them do, the socket stops
 * being read until half have started, so one client can make the process hold at most
 * `concurrency` running invocations and about `maxWaiting` waiting messages.
 *
 * The close is queued like a message and started once every message before it has started (with
 * `concurrency` 1: finished), outside the bounds, so `$disconnect` is never starved.
 */
export class InvocationQueue<T> implements BudgetWaiter {
  private items: Array<QueuedWork<T> | undefined> = [];
  private head = 0;
  private running = 0;
  private paused = false;

  constructor(
    private readonly source: FrameSource,
    private readonly start: (item: T) => Promise<void> | undefined,
    private readonly options: InvocationQueueOptions,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Messages waiting to start. */
  get waiting(): number {
    return this.items.length - this.head;
  }

  /** Invocations of this connection running now. */
  get inFlight(): number {
    return this.running;
  }

  push(item: T, final = false): void {
    this.items.push({ item, final });
    if (!this.paused && this.waiting >= this.options.maxWaiting) {
      this.paused = true;
      this.source.pause();
    }
    this.drain();
  }

  wake(): void {
    this.drain();
  }

  private drain(): void {
    const { concurrency, budget } = this.options;
    while (this.waiting > 0) {
      const next = this.items[this.head] as QueuedWork<T>;
      if (next.final) {
        if (concurrency === 1 && this.running > 0) return;
        budget.forget(this);
        this.take();
        this.run(next.item, false);
        continue;
      }
      if (this.running >= concurrency || !budget.tryAcquire(this)) return;
      this.take();
      this.run(next.item, true);
    }
  }

  private take(): void {
    this.items[this.head++] = undefined;
    if (this.waiting === 0) {
      // An emptied array keeps its grown backing store; a connection that waits idle need not.
      this.items.length = 0;
      this.head = 0;
    }
    if (this.paused && this.waiting < this.options.maxWaiting / 2) {
      this.paused = false;
      this.source.resume();
    }
  }

  private run(item: T, counted: boolean): void {
    if (counted) this.running++;
    const finished = () => {
      if (!counted) return;
      this.running--;
      this.options.budget.release();
      this.drain();
    };
    let pending: Promise<void> | undefined;
    try {
      pending = this.start(item);
    } catch (error) {
      this.onError(error);
    }
    if (pending === undefined) finished();
    else {
      pending.then(finished, (error: unknown) => {
        this.onError(error);
        finished();
      });
    }
  }
}
