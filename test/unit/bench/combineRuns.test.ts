import { describe, expect, it } from 'vitest';
import { combineRuns, median } from '../../../bench/combineRuns.js';
import type { Measurement } from '../../../bench/measure.js';
import { PLAIN_CLIENTS } from '../../../bench/protocol.js';

function run(cpu: number, lost: number): Measurement {
  const latency = { count: 10, p50: cpu, p90: cpu, p99: cpu, max: cpu, mean: cpu };
  const report = { expected: 10, delivered: 10 - lost, lost, duplicated: 0, outOfOrder: 0, foreign: 0, latency };
  return {
    target: 'ours',
    load: { clients: 1, senders: 1, messages: 10, warmup: 0, payload: 32, window: 1, rate: 0, shape: PLAIN_CLIENTS },
    connectMs: cpu,
    deliveries: 10 - lost,
    durationMs: 1,
    deliveriesPerSecond: cpu,
    report,
    timedOut: false,
    closedClients: 0,
    serverCpuSeconds: cpu,
    serverCpuMicrosPerDelivery: cpu,
    backingCpuSeconds: 0,
    redisCpuSeconds: Number.NaN,
    redisCpuMicrosPerMessage: Number.NaN,
    loadGeneratorCpuSeconds: 0,
    rssIdleBytes: cpu,
    rssPerIdleConnectionBytes: cpu,
    heapPerIdleConnectionBytes: cpu,
    peakRssBytes: cpu,
  };
}

describe('median', () => {
  it('is the middle value, or the mean of the two middle ones', () => {
    expect(median([5, 1, 3])).toBe(3);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});

describe('combineRuns', () => {
  it('takes the median of each figure and sums the delivery faults', () => {
    const combined = combineRuns([run(9, 0), run(1, 2), run(2, 1)]);
    expect(combined.serverCpuMicrosPerDelivery).toBe(2);
    expect(combined.report.latency.p99).toBe(2);
    expect(combined.report).toMatchObject({ expected: 30, lost: 3 });
  });
});
