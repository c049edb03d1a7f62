/** A connection that waits for a slot of the emulator-wide budget. */
export interface BudgetWaiter {
  /** A slot freed up: start what waits, if anything still does. */
  wake(): void;
}

/**
 * How many invocations the whole emulator runs at once. API Gateway would run them all; a process
 * on one machine cannot, so past this bound connections stop being read (TCP pushes back on their
 * clients) and take turns, in the order they started waiting, as slots free up.
 */
export class InvocationBudget {
  private running = 0;
  private readonly waiting = new Set<BudgetWaiter>();
  /** The most invocations that ran at once, for operators and tests. */
  maxRunning = 0;

  constructor(readonly limit: number) {}

  /** Invocations running now. */
  get inUse(): number {
    return this.running;
  }

  /** Takes a slot if one is free; otherwise `waiter` is woken once one may be. */
  tryAcquire(waiter: BudgetWaiter): boolean {
    if (this.running >= this.limit) {
      this.waiting.add(waiter);
      return false;
    }
    this.waiting.delete(waiter);
    this.running++;
    this.maxRunning = Math.max(this.maxRunning, this.running);
    return true;
  }

  release(): void {
    this.running--;
    const [next] = this.waiting;
    if (next === undefined) return;
    this.waiting.delete(next);
    next.wake();
  }

  /** A closed connection waits for nothing more. */
  forget(waiter: BudgetWaiter): void {
    this.waiting.delete(waiter);
  }
}
