import { describe, expect, it } from 'vitest';
import { InvocationBudget } from '../../../../src/entrypoints/aws-local/InvocationBudget.js';
import { InvocationQueue } from '../../../../src/entrypoints/aws-local/InvocationQueue.js';

/** A source that records whether it is being read. */
class FakeSource {
  readonly transitions: string[] = [];
  pause(): void {
    this.transitions.push('pause');
  }
  resume(): void {
    this.transitions.push('resume');
  }
}

/** Invocations that finish when the test says so, in any order. */
class Invocations {
  readonly started: string[] = [];
  private readonly finishers = new Map<string, () => void>();

  readonly start = (item: string): Promise<void> => {
    this.started.push(item);
    return new Promise((resolve) => this.finishers.set(item, resolve));
  };

  async finish(item: string): Promise<void> {
    const finisher = this.finishers.get(item);
    if (finisher === undefined) throw new Error(`${item} was not started`);
    this.finishers.delete(item);
    finisher();
    // Let the queue's continuation run.
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
}

function queueOf(options: { concurrency: number; maxWaiting?: number; budget?: InvocationBudget }) {
  const source = new FakeSource();
  const invocations = new Invocations();
  const errors: unknown[] = [];
  const budget = options.budget ?? new InvocationBudget(100);
  const queue = new InvocationQueue<string>(
    source,
    invocations.start,
    { concurrency: options.concurrency, maxWaiting: options.maxWaiting ?? 100, budget },
    (error) => errors.push(error),
  );
  return { queue, source, invocations, errors, budget };
}

describe('InvocationQueue', () => {
  it('starts messages in arrival order, up to its concurrency at once', async () => {
    const { queue, invocations } = queueOf({ concurrency: 2 });
    for (const item of ['a', 'b', 'c', 'd']) queue.push(item);
    expect(invocations.started).toEqual(['a', 'b']);
    expect(queue.inFlight).toBe(2);
    expect(queue.waiting).toBe(2);
    // The second finishes first: a slot frees, and the next in arrival order starts.
    await invocations.finish('b');
    expect(invocations.started).toEqual(['a', 'b', 'c']);
    await invocations.finish('a');
    expect(invocations.started).toEqual(['a', 'b', 'c', 'd']);
  });

  it('with concurrency 1 runs one at a time, each after the previous finished', async () => {
    const { queue, invocations } = queueOf({ concurrency: 1 });
    queue.push('a');
    queue.push('b');
    expect(invocations.started).toEqual(['a']);
    await invocations.finish('a');
    expect(invocations.started).toEqual(['a', 'b']);
  });

  it('stops reading the socket once maxWaiting messages wait, and reads again once half have started', async () => {
    const { queue, source, invocations } = queueOf({ concurrency: 1, maxWaiting: 4 });
    for (const item of ['a', 'b', 'c', 'd', 'e']) queue.push(item);
    // 'a' runs, four wait: the bound.
    expect(source.transitions).toEqual(['pause']);
    await invocations.finish('a');
    await invocations.finish('b');
    expect(source.transitions).toEqual(['pause']);
    await invocations.finish('c');
    // 'd' started, one waits: below half the bound.
    expect(queue.waiting).toBe(1);
    expect(source.transitions).toEqual(['pause', 'resume']);
  });

  it('holds messages past the emulator-wide budget and starts them as slots free up', async () => {
    const budget = new InvocationBudget(1);
    const first = queueOf({ concurrency: 4, budget });
    const second = queueOf({ concurrency: 4, budget });
    first.queue.push('a');
    second.queue.push('x');
    expect(first.invocations.started).toEqual(['a']);
    expect(second.invocations.started).toEqual([]);
    expect(budget.inUse).toBe(1);
    // The slot 'a' frees goes to the connection that waited for it.
    await first.invocations.finish('a');
    expect(second.invocations.started).toEqual(['x']);
    expect(budget.maxRunning).toBe(1);
  });

  it('starts the close after every message before it, outside the bounds', async () => {
    const budget = new InvocationBudget(1);
    const { queue, invocations } = queueOf({ concurrency: 1, budget });
    queue.push('a');
    queue.push('b');
    queue.push('close', true);
    expect(invocations.started).toEqual(['a']);
    await invocations.finish('a');
    expect(invocations.started).toEqual(['a', 'b']);
    await invocations.finish('b');
    expect(invocations.started).toEqual(['a', 'b', 'close']);
    // The close took no slot of the budget.
    expect(budget.inUse).toBe(0);
  });

  it('with concurrency above 1 starts the close once every message before it has started, even with the budget spent', () => {
    const budget = new InvocationBudget(1);
    const other = queueOf({ concurrency: 1, budget });
    other.queue.push('busy');
    const { queue, invocations } = queueOf({ concurrency: 4, budget });
    queue.push('close', true);
    expect(invocations.started).toEqual(['close']);
  });

  it('reports a failed invocation and goes on with the next', async () => {
    const source = new FakeSource();
    const errors: unknown[] = [];
    const started: string[] = [];
    const queue = new InvocationQueue<string>(
      source,
      (item) => {
        started.push(item);
        if (item === 'throws') throw new Error('sync');
        if (item === 'rejects') return Promise.reject(new Error('async'));
        return undefined;
      },
      { concurrency: 1, maxWaiting: 10, budget: new InvocationBudget(10) },
      (error) => errors.push(error),
    );
    queue.push('throws');
    queue.push('rejects');
    queue.push('ok');
    await new Promise<void>((resolve) => setImmediate(resolve));
    expect(started).toEqual(['throws', 'rejects', 'ok']);
    expect(errors.map((error) => (error as Error).message)).toEqual(['sync', 'async']);
    expect(queue.inFlight).toBe(0);
  });
});
