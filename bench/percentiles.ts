/** Latency figures of one round, in milliseconds. */
export interface LatencySummary {
  readonly count: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentile of an ascending array: the smallest value with `p`% at or below it. */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (p <= 0) return sorted[0] as number;
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

/** Summarizes latencies given in microseconds; sorts `micros` in place. */
export function summarizeLatency(micros: Uint32Array | Float64Array): LatencySummary {
  micros.sort();
  let sum = 0;
  for (const value of micros) sum += value;
  const ms = (value: number) => value / 1000;
  return {
    count: micros.length,
    p50: ms(percentile(micros, 50)),
    p90: ms(percentile(micros, 90)),
    p99: ms(percentile(micros, 99)),
    max: ms(percentile(micros, 100)),
    mean: micros.length === 0 ? Number.NaN : ms(sum / micros.length),
  };
}
