import type { BenchProcess } from './processes.js';
import { sampleProcess } from './procStats.js';

/** The prefix of the line the memory probe prints (see memoryProbe.ts). */
export const MEMORY_LINE = 'bench-memory ';

/** Memory of the server processes right after a full garbage collection, summed. */
export interface MemorySample {
  readonly heapUsedBytes: number;
  readonly rssBytes: number;
}

/** Asks each process's memory probe to collect garbage, then reads its heap and RSS. */
export async function sampleAfterGc(processes: readonly BenchProcess[], timeoutMs = 10_000): Promise<MemorySample> {
  let heapUsedBytes = 0;
  let rssBytes = 0;
  for (const server of processes) {
    const line = server.nextLine(MEMORY_LINE, timeoutMs);
    process.kill(server.pid, 'SIGUSR2');
    const figures = JSON.parse((await line).slice(MEMORY_LINE.length)) as { heapUsed: number };
    heapUsedBytes += figures.heapUsed;
    rssBytes += sampleProcess(server.pid).rssBytes;
  }
  return { heapUsedBytes, rssBytes };
}
