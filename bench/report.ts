import type { Measurement } from './measure.js';

/** One scenario's outcome: both measurements and their ratios, or why it did not run. */
export interface ScenarioResult {
  readonly scenario: string;
  readonly note: string;
  readonly unavailable?: string;
  readonly failed?: string;
  readonly ours?: Measurement;
  readonly reference?: Measurement;
  /** Every run behind the medians above. */
  readonly runs?: Readonly<Record<'ours' | 'reference', readonly Measurement[]>>;
  readonly ratios?: Ratios;
  /** Whether the ratio targets apply to this scenario (delivery faults always count). */
  readonly ratiosChecked?: boolean;
  /** Targets missed, empty when every target is met. */
  readonly misses?: readonly string[];
}

export interface Ratios {
  readonly cpuPerDelivery: number;
  readonly deliveriesPerSecond: number;
  readonly p99: number;
  readonly rssPerIdleConnection: number;
  readonly heapPerIdleConnection: number;
}

/** Ratio targets of ours to the reference measured in the same run; a scenario checks some of them. */
export interface RatioTargets {
  /** Most. */
  readonly cpuPerDelivery?: number;
  /** Least. */
  readonly deliveriesPerSecond?: number;
  /** Most. */
  readonly p99?: number;
  /** Most. */
  readonly rssPerIdleConnection?: number;
}

/** The targets of the standalone and cluster scenarios. */
export const TARGETS: RatioTargets = {
  cpuPerDelivery: 1.1,
  deliveriesPerSecond: 0.9,
  p99: 1.2,
  rssPerIdleConnection: 1.2,
};

export function ratiosOf(ours: Measurement, reference: Measurement): Ratios {
  return {
    cpuPerDelivery: ours.serverCpuMicrosPerDelivery / reference.serverCpuMicrosPerDelivery,
    deliveriesPerSecond: ours.deliveriesPerSecond / reference.deliveriesPerSecond,
    p99: ours.report.latency.p99 / reference.report.latency.p99,
    rssPerIdleConnection: ours.rssPerIdleConnectionBytes / reference.rssPerIdleConnectionBytes,
    heapPerIdleConnection: ours.heapPerIdleConnectionBytes / reference.heapPerIdleConnectionBytes,
  };
}

/** What `ours` misses: a delivery fault always, and the scenario's ratio targets. */
export function missesOf(ours: Measurement, ratios: Ratios | undefined, targets: RatioTargets = {}): string[] {
  const misses: string[] = [];
  const { lost, duplicated, outOfOrder } = ours.report;
  if (lost + duplicated + outOfOrder > 0)
    misses.push(`lost ${lost}, duplicated ${duplicated}, out of order ${outOfOrder}`);
  if (ratios === undefined) return misses;
  const { cpuPerDelivery, deliveriesPerSecond, p99, rssPerIdleConnection } = targets;
  if (cpuPerDelivery !== undefined && ratios.cpuPerDelivery > cpuPerDelivery) {
    misses.push(`CPU/delivery ${fix(ratios.cpuPerDelivery)}x (target ${cpuPerDelivery}x)`);
  }
  if (deliveriesPerSecond !== undefined && ratios.deliveriesPerSecond < deliveriesPerSecond) {
    misses.push(`deliveries/s ${fix(ratios.deliveriesPerSecond)}x (target ${deliveriesPerSecond}x)`);
  }
  if (p99 !== undefined && ratios.p99 > p99) misses.push(`p99 ${fix(ratios.p99)}x (target ${p99}x)`);
  if (rssPerIdleConnection !== undefined && ratios.rssPerIdleConnection > rssPerIdleConnection) {
    misses.push(`RSS/idle connection ${fix(ratios.rssPerIdleConnection)}x (target ${rssPerIdleConnection}x)`);
  }
  return misses;
}

const fix = (value: number, digits = 2) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const int = (value: number) => (Number.isFinite(value) ? Math.round(value).toLocaleString('en-US') : '-');
const kib = (bytes: number) => fix(bytes / 1024, 1);
const mib = (bytes: number) => fix(bytes / 1024 / 1024, 1);

interface Row {
  readonly label: string;
  readonly value: (m: Measurement) => string;
  readonly ratio?: (r: Ratios) => number;
}

const ROWS: readonly Row[] = [
  {
    label: 'server CPU per delivery (µs)',
    value: (m) => fix(m.serverCpuMicrosPerDelivery, 3),
    ratio: (r) => r.cpuPerDelivery,
  },
  { label: 'deliveries/s', value: (m) => int(m.deliveriesPerSecond), ratio: (r) => r.deliveriesPerSecond },
  { label: 'latency p99 (ms)', value: (m) => fix(m.report.latency.p99), ratio: (r) => r.p99 },
  {
    label: 'RSS per idle connection (KiB)',
    value: (m) => kib(m.rssPerIdleConnectionBytes),
    ratio: (r) => r.rssPerIdleConnection,
  },
  {
    label: 'V8 heap per idle connection (KiB)',
    value: (m) => kib(m.heapPerIdleConnectionBytes),
    ratio: (r) => r.heapPerIdleConnection,
  },
  {
    label: 'latency p50 / p90 / max (ms)',
    value: (m) => `${fix(m.report.latency.p50)} / ${fix(m.report.latency.p90)} / ${fix(m.report.latency.max)}`,
  },
  { label: 'deliveries', value: (m) => int(m.deliveries) },
  { label: 'server CPU (s)', value: (m) => fix(m.serverCpuSeconds) },
  { label: 'load generator CPU (s)', value: (m) => fix(m.loadGeneratorCpuSeconds) },
  { label: 'Redis CPU (s)', value: (m) => (m.backingCpuSeconds > 0 ? fix(m.backingCpuSeconds) : '-') },
  { label: 'Redis CPU per message sent (µs, INFO cpu)', value: (m) => fix(m.redisCpuMicrosPerMessage, 1) },
  { label: 'server peak RSS (MiB)', value: (m) => mib(m.peakRssBytes) },
  { label: `connect time, all clients (ms)`, value: (m) => int(m.connectMs) },
  {
    label: 'lost / duplicated / out of order',
    value: (m) => `${m.report.lost} / ${m.report.duplicated} / ${m.report.outOfOrder}`,
  },
];

function loadLine(m: Measurement): string {
  const { clients, senders, messages, payload, window, rate, shape } = m.load;
  const pace = rate > 0 ? `${rate} msg/s` : `window ${window}`;
  const plural = (count: number, noun: string) => `${int(count)} ${noun}${count === 1 ? '' : 's'}`;
  const v2 = [
    ...(shape.roomSize > 0 ? [`rooms of ${shape.roomSize}`] : []),
    ...(shape.extraRooms > 0 ? [`${shape.extraRooms} more rooms each`] : []),
    ...(shape.formats === 'text' ? [] : [`format ${shape.formats}`]),
    ...(shape.named ? ['named'] : []),
  ];
  return `${plural(clients, 'client')}${v2.length > 0 ? ` (${v2.join(', ')})` : ''}, ${plural(senders, 'sender')} x ${plural(messages, 'message')}, ${payload} B, ${pace}`;
}

/** A Markdown section per scenario: ours, the reference, the ratio. */
export function renderMarkdown(results: readonly ScenarioResult[]): string {
  const out: string[] = [];
  for (const result of results) {
    out.push(`### ${result.scenario}`, '', `_${result.note}_`, '');
    if (result.unavailable !== undefined || result.failed !== undefined) {
      out.push(
        result.unavailable !== undefined ? `Unavailable: ${result.unavailable}` : `Failed: ${result.failed}`,
        '',
      );
      continue;
    }
    const sample = result.ours ?? result.reference;
    const runs = result.runs?.ours.length ?? result.runs?.reference.length ?? 1;
    const runsLine = runs === 1 ? 'One run each.' : `Medians of ${runs} runs each.`;
    if (sample !== undefined) out.push(`Load: ${loadLine(sample)}. ${runsLine}`, '');
    out.push('| figure | ours | reference | ratio |', '|---|---:|---:|---:|');
    for (const row of ROWS) {
      const ours = result.ours === undefined ? '-' : row.value(result.ours);
      const reference = result.reference === undefined ? '-' : row.value(result.reference);
      const ratio = row.ratio !== undefined && result.ratios !== undefined ? `${fix(row.ratio(result.ratios))}x` : '';
      out.push(`| ${row.label} | ${ours} | ${reference} | ${ratio} |`);
    }
    out.push('');
    if (result.misses !== undefined) {
      const scope = result.ratiosChecked === true ? 'Targets' : 'Delivery (no ratio targets here)';
      out.push(result.misses.length === 0 ? `${scope}: all met.` : `${scope} missed: ${result.misses.join('; ')}.`, '');
    }
  }
  return out.join('\n');
}

/** The headline table: one row per scenario, ratios only. */
export function renderSummary(results: readonly ScenarioResult[]): string {
  const out = [
    '| scenario | CPU/delivery | deliveries/s | p99 latency | RSS/idle conn | heap/idle conn | lost/dup/reorder (ours) |',
    '|---|---:|---:|---:|---:|---:|---:|',
  ];
  for (const result of results) {
    if (result.ratios === undefined || result.ours === undefined) {
      out.push(`| ${result.scenario} | ${result.unavailable ?? result.failed ?? 'not compared'} | | | | | |`);
      continue;
    }
    const { ratios, ours } = result;
    out.push(
      `| ${result.scenario} | ${fix(ratios.cpuPerDelivery)}x | ${fix(ratios.deliveriesPerSecond)}x | ${fix(ratios.p99)}x | ${fix(ratios.rssPerIdleConnection)}x | ${fix(ratios.heapPerIdleConnection)}x | ${ours.report.lost}/${ours.report.duplicated}/${ours.report.outOfOrder} |`,
    );
  }
  return out.join('\n');
}
