import { describe, expect, it } from 'vitest';
import { parseCpuTicks, parseStatusKb, sampleProcess } from '../../../bench/procStats.js';

describe('procStats', () => {
  it('adds utime and stime, even when the command name holds spaces and parens', () => {
    const stat = '1234 (node (x) y) S 1 1234 1234 0 -1 4194304 100 0 0 0 250 75 0 0 20 0 11 0 100 0 0';
    expect(parseCpuTicks(stat)).toBe(325);
  });

  it('reads a kB field in bytes', () => {
    expect(parseStatusKb('VmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n', 'VmRSS')).toBe(1024 * 1024);
    expect(parseStatusKb('VmRSS:\t  1024 kB\n', 'VmSwap')).toBe(0);
  });

  it('samples a live process', () => {
    const sample = sampleProcess(process.pid);
    expect(sample.rssBytes).toBeGreaterThan(0);
    expect(sample.peakRssBytes).toBeGreaterThanOrEqual(sample.rssBytes);
    expect(sample.cpuSeconds).toBeGreaterThan(0);
  });
});
