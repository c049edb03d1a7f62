import { describe, expect, it } from 'vitest';
import { forEachBounded } from '../../../src/application/index.js';

describe('forEachBounded', () => {
  it('visits every item once with at most the limit in flight', async () => {
    let inFlight = 0;
    let peak = 0;
    const seen: number[] = [];
    await forEachBounded([1, 2, 3, 4, 5, 6, 7], 3, async (item) => {
      inFlight++;
      peak = Math.max(peak, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 1));
      seen.push(item);
      inFlight--;
    });
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(peak).toBe(3);
  });

  it('runs synchronous work to the end without waiting for a turn of the event loop', async () => {
    const seen: number[] = [];
    const run = forEachBounded([1, 2, 3, 4, 5], 2, (item) => {
      seen.push(item);
    });
    expect(seen).toEqual([1, 2, 3, 4, 5]);
    await run;
  });

  it('does nothing for no items', async () => {
    let calls = 0;
    await forEachBounded([], 4, async () => {
      calls++;
    });
    expect(calls).toBe(0);
  });

  it('rejects with the failure and still finishes the other items', async () => {
    const seen: number[] = [];
    const run = forEachBounded([1, 2, 3], 1, async (item) => {
      if (item === 2) throw new Error('boom');
      seen.push(item);
    });
    await expect(run).rejects.toThrow('boom');
    expect(seen).toEqual([1, 3]);
  });
});
