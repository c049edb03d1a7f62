import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { LoadGenerator } from './LoadGenerator.js';
import { sampleProcesses } from './procStats.js';
import { PLAIN_CLIENTS, type RoundResult } from './protocol.js';
import type { RemoteOptions } from './remoteOptions.js';

/** The figures of one remote run: only what the client side can see (no server CPU or memory). */
export interface RemoteMeasurement {
  readonly connectMs: number;
  readonly round: RoundResult;
  readonly deliveriesPerSecond: number;
  readonly loadGeneratorCpuSeconds: number;
  /** Wall time with every client connected, warm-up included: connection-minutes are billed on it. */
  readonly connectedSeconds: number;
}

/** Longest the clients may take to connect, all of them (the handshake itself has 10 s each). */
const CONNECT_TIMEOUT_MS = 120_000;

/**
 * Connects the clients to `options.url`, sends the unmeasured warm-up, then measures one round;
 * closes every connection it opened, whatever happens.
 */
export async function measureRemote(options: RemoteOptions, loadgenScript: string): Promise<RemoteMeasurement> {
  const loadgen = LoadGenerator.start(loadgenScript, options.clients + 256);
  try {
    const connectMs = await loadgen.connect([options.url], options.clients, PLAIN_CLIENTS, CONNECT_TIMEOUT_MS);
    const connectedAt = Date.now();
    const round = {
      senders: options.senders,
      payloadBytes: options.payload,
      window: options.window,
      rate: options.rate,
      roomSize: 0,
      timeoutMs: options.durationS * 1000,
    };
    if (options.warmup > 0) await loadgen.round({ ...round, messages: options.warmup });
    const before = sampleProcesses([loadgen.pid]);
    const result = await loadgen.round({ ...round, messages: options.messages });
    const after = sampleProcesses([loadgen.pid]);
    return {
      connectMs,
      round: result,
      deliveriesPerSecond: result.report.delivered / (result.durationMs / 1000),
      loadGeneratorCpuSeconds: after.cpuSeconds - before.cpuSeconds,
      connectedSeconds: (Date.now() - connectedAt) / 1000,
    };
  } finally {
    await loadgen.stop();
  }
}

/** The URL without its query string, where a token may travel: it is printed and written to disk. */
export function shownUrl(url: string): string {
  const parsed = new URL(url);
  return parsed.search === '' ? parsed.href : `${parsed.origin}${parsed.pathname}?<query omitted>`;
}

const fix = (value: number, digits = 1) => (Number.isFinite(value) ? value.toFixed(digits) : '-');
const int = (value: number) => Math.round(value).toLocaleString('en-US');

/** A Markdown report of the run: the load, then the figures. */
export function renderRemote(options: RemoteOptions, measured: RemoteMeasurement): string {
  const { report, sent, durationMs, timedOut, closedClients } = measured.round;
  const { latency } = report;
  const pace = options.rate > 0 ? `${options.rate} msg/s` : `window ${options.window}`;
  const sends = options.senders * (options.warmup + options.messages);
  const deliveries = sends * options.clients;
  const rows: [string, string][] = [
    ['connect time, all clients (ms)', int(measured.connectMs)],
    ['messages sent (measured round)', int(sent)],
    ['deliveries / expected', `${int(report.delivered)} / ${int(report.expected)}`],
    ['deliveries/s', int(measured.deliveriesPerSecond)],
    [
      'latency p50 / p90 / p99 / max (ms)',
      [latency.p50, latency.p90, latency.p99, latency.max].map((v) => fix(v)).join(' / '),
    ],
    ['round duration (ms)', int(durationMs)],
    ['lost / duplicated / out of order', `${report.lost} / ${report.duplicated} / ${report.outOfOrder}`],
    ['other frames (error replies)', int(report.foreign)],
    ['clients closed during the round', int(closedClients)],
    ['load generator CPU (s)', fix(measured.loadGeneratorCpuSeconds, 2)],
    ['billable messages, about (sent + delivered, warm-up included)', int(sends + deliveries)],
    ['connection-minutes, about', fix((options.clients * measured.connectedSeconds) / 60)],
  ];
  return [
    `### ${shownUrl(options.url)}`,
    '',
    `Load: ${int(options.clients)} clients, ${options.senders} senders x ${options.messages} messages ` +
      `(+${options.warmup} warm-up), ${options.payload} B, ${pace}, round bounded at ${options.durationS} s.` +
      (timedOut ? ' The round hit its bound: what had not arrived counts as lost.' : ''),
    '',
    '| figure | value |',
    '|---|---:|',
    ...rows.map(([label, value]) => `| ${label} | ${value} |`),
    '',
    'Client-side figures only: latency is from send to receipt on the load generator, through the ' +
      'network. Order is per sender; API Gateway does not promise it, so on AWS out-of-order is ' +
      'reported, not a fault.',
  ].join('\n');
}

/** Writes the run's JSON beside the local results; returns its path. */
export function writeRemoteResult(
  outDir: string,
  startedAt: Date,
  options: RemoteOptions,
  measured: RemoteMeasurement,
): string {
  mkdirSync(outDir, { recursive: true });
  const file = join(outDir, `bench-remote-${startedAt.toISOString().replace(/[:.]/g, '-')}.json`);
  writeFileSync(
    file,
    `${JSON.stringify({ startedAt: startedAt.toISOString(), options: { ...options, url: shownUrl(options.url) }, measured }, null, 2)}\n`,
  );
  return file;
}
