import { MEMORY_LINE } from './memory.js';

/**
 * Preloaded (`node --expose-gc --import`) into every server the bench starts, ours and the
 * reference alike: on SIGUSR2 it runs a full garbage collection and prints the heap figures, so
 * memory per connection is read from live objects rather than from garbage not yet collected.
 */
process.on('SIGUSR2', () => {
  const gc = (globalThis as { gc?: () => void }).gc;
  gc?.();
  gc?.();
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
  process.stderr.write(`${MEMORY_LINE}${JSON.stringify({ heapUsed, external, arrayBuffers, rss })}\n`);
});
