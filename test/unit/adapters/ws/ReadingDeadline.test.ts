import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ReadingDeadline } from '../../../../src/adapters/ws/ReadingDeadline.js';

/** A stream being read, as a client's socket is. */
function flowingStream(): PassThrough {
  const stream = new PassThrough();
  stream.on('data', () => {});
  return stream;
}

/** `resume` announces itself on the next tick. */
const tick = () => new Promise<void>((resolve) => process.nextTick(resolve));

describe('ReadingDeadline', () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'performance'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  describe('arm', () => {
    it('expires after the timeout of reading time', () => {
      let expired = 0;
      const deadline = new ReadingDeadline(flowingStream(), 1000, () => expired++);
      deadline.arm();
      vi.advanceTimersByTime(999);
      expect(expired).toBe(0);
      vi.advanceTimersByTime(1);
      expect(expired).toBe(1);
      expect(deadline.armed).toBe(false);
    });

    it('does not count the time the stream is paused', async () => {
      let expired = 0;
      const stream = flowingStream();
      const deadline = new ReadingDeadline(stream, 1000, () => expired++);
      deadline.arm();
      vi.advanceTimersByTime(600);
      stream.pause();
      vi.advanceTimersByTime(10_000);
      expect(expired).toBe(0);
      stream.resume();
      await tick();
      vi.advanceTimersByTime(399);
      expect(expired).toBe(0);
      vi.advanceTimersByTime(1);
      expect(expired).toBe(1);
    });

    it('waits for reading to start on a stream armed while paused', async () => {
      let expired = 0;
      const stream = flowingStream();
      stream.pause();
      const deadline = new ReadingDeadline(stream, 1000, () => expired++);
      deadline.arm();
      vi.advanceTimersByTime(5000);
      expect(expired).toBe(0);
      stream.resume();
      await tick();
      vi.advanceTimersByTime(1000);
      expect(expired).toBe(1);
    });
  });

  describe('disarm', () => {
    it('stops the deadline and stops listening to the stream', () => {
      let expired = 0;
      const stream = flowingStream();
      const deadline = new ReadingDeadline(stream, 1000, () => expired++);
      deadline.arm();
      deadline.disarm();
      vi.advanceTimersByTime(5000);
      expect(expired).toBe(0);
      expect([stream.listenerCount('pause'), stream.listenerCount('resume')]).toEqual([0, 0]);
    });
  });
});
