import type { DeliveryReport } from './DeliveryTracker.js';
import type { Measurement } from './measure.js';

/** The middle value (mean of the two middle ones for an even count). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

/**
 * One measurement standing for several runs of the same server: the median of each figure, so
 * one run disturbed by a noisy neighbour does not decide the ratio, and delivery faults summed
 * over all runs, so none is hidden.
 */
export function combineRuns(runs: readonly Measurement[]): Measurement {
  const first = runs[0];
  if (first === undefined) throw new RangeError('no runs to combine');
  const mid = (pick: (run: Measurement) => number) => median(runs.map(pick));
  const sum = (pick: (report: DeliveryReport) => number) => runs.reduce((total, run) => total + pick(run.report), 0);
  const report: DeliveryReport = {
    expected: sum((r) => r.expected),
    delivered: sum((r) => r.delivered),
    lost: sum((r) => r.lost),
    duplicated: sum((r) => r.duplicated),
    outOfOrder: sum((r) => r.outOfOrder),
    foreign: sum((r) => r.foreign),
    latency: {
      count: sum((r) => r.latency.count),
      p50: mid((run) => run.report.latency.p50),
      p90: mid((run) => run.report.latency.p90),
      p99: mid((run) => run.report.latency.p99),
      max: mid((run) => run.report.latency.max),
      mean: mid((run) => run.report.latency.mean),
    },
  };
  return {
    target: first.target,
    load: first.load,
    connectMs: mid((run) => run.connectMs),
    deliveries: mid((run) => run.deliveries),
    durationMs: mid((run) => run.durationMs),
    deliveriesPerSecond: mid((run) => run.deliveriesPerSecond),
    report,
    timedOut: runs.some((run) => run.timedOut),
    closedClients: runs.reduce((total, run) => total + run.closedClients, 0),
    serverCpuSeconds: mid((run) => run.serverCpuSeconds),
    serverCpuMicrosPerDelivery: mid((run) => run.serverCpuMicrosPerDelivery),
    backingCpuSeconds: mid((run) => run.backingCpuSeconds),
    redisCpuSeconds: mid((run) => run.redisCpuSeconds),
    redisCpuMicrosPerMessage: mid((run) => run.redisCpuMicrosPerMessage),
    loadGeneratorCpuSeconds: mid((run) => run.loadGeneratorCpuSeconds),
    rssIdleBytes: mid((run) => run.rssIdleBytes),
    rssPerIdleConnectionBytes: mid((run) => run.rssPerIdleConnectionBytes),
    heapPerIdleConnectionBytes: mid((run) => run.heapPerIdleConnectionBytes),
    peakRssBytes: mid((run) => run.peakRssBytes),
  };
}
