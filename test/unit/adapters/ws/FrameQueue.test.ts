import { describe, expect, it } from 'vitest';
import { FrameQueue } from '../../../../src/adapters/ws/FrameQueue.js';

/** A source that records whether it is being read. */
class FakeSource {
  paused = false;
  readonly transitions: string[] = [];
  pause(): void {
    this.paused = true;
    this.transitions.push('pause');
  }
  resume(): void {
    this.paused = false;
    this.transitions.push('resume');
  }
}

const turn = () => new Promise<void>((resolve) => setImmediate(resolve));

/** Turns the event loop until `condition` holds (bounded: a broken queue fails, it does not hang). */
async function turnsUntil(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await turn();
  expect(condition()).toBe(true);
}

describe('FrameQueue', () => {
  describe('push', () => {
    it('handles items one at a time, in arrival order', async () => {
      const handled: number[] = [];
      let inFlight = 0;
      let peak = 0;
      const queue = new FrameQueue<number>(
        new FakeSource(),
        async (item) => {
          inFlight++;
          peak = Math.max(peak, inFlight);
          await turn();
          handled.push(item);
          inFlight--;
        },
        100,
        () => {},
      );
      for (let i = 0; i < 20; i++) queue.push(i);
      await turnsUntil(() => handled.length === 20);
      expect(handled).toEqual(Array.from({ length: 20 }, (_, i) => i));
      expect(peak).toBe(1);
    });

    it('handles an item pushed to an idle queue at once', () => {
      const handled: string[] = [];
      const queue = new FrameQueue<string>(
        new FakeSource(),
        (item) => void handled.push(item),
        8,
        () => {},
      );
      queue.push('now');
      expect(handled).toEqual(['now']);
    });

    it('lets the event loop turn between two items, however fast each is handled', async () => {
      const order: string[] = [];
      const queue = new FrameQueue<string>(
        new FakeSource(),
        (item) => {
          order.push(item);
          // Something else that waits for the event loop: it must not wait for the whole backlog.
          if (item === 'a') setImmediate(() => order.push('other client'));
          return Promise.resolve();
        },
        100,
        () => {},
      );
      queue.push('a');
      queue.push('b');
      queue.push('c');
      await turnsUntil(() => order.length === 4);
      expect(order).toEqual(['a', 'other client', 'b', 'c']);
    });

    it('stops reading its source at the high-water mark and reads again below half of it', async () => {
      const source = new FakeSource();
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const queue = new FrameQueue<number>(
        source,
        () => gate,
        4,
        () => {},
      );
      for (let i = 0; i < 5; i++) queue.push(i);
      expect(queue.waiting).toBe(4);
      expect(source.paused).toBe(true);
      release();
      await turnsUntil(() => queue.waiting === 0);
      expect(source.transitions).toEqual(['pause', 'resume']);
    });

    it('reports a failing item and goes on with the next', async () => {
      const errors: unknown[] = [];
      const handled: string[] = [];
      const queue = new FrameQueue<string>(
        new FakeSource(),
        async (item) => {
          if (item === 'bad') throw new Error('handler failed');
          handled.push(item);
        },
        8,
        (error) => errors.push(error),
      );
      queue.push('bad');
      queue.push('good');
      await turnsUntil(() => handled.length === 1);
      expect(errors).toHaveLength(1);
      expect(handled).toEqual(['good']);
    });

    it('reports a handler that throws before returning a promise', async () => {
      const errors: unknown[] = [];
      const queue = new FrameQueue<string>(
        new FakeSource(),
        () => {
          throw new Error('at once');
        },
        8,
        (error) => errors.push(error),
      );
      queue.push('x');
      queue.push('y');
      await turnsUntil(() => errors.length === 2);
    });
  });
});
