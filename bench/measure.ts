import { setTimeout as sleep } from 'node:timers/promises';
import type { DeliveryReport } from './DeliveryTracker.js';
import { LoadGenerator } from './LoadGenerator.js';
import { sampleAfterGc } from './memory.js';
import type { BenchOptions } from './options.js';
import { redisCpuSeconds } from './processes.js';
import { sampleProcesses } from './procStats.js';
import type { Artifacts, Deployment, Load, Scenario, Target } from './scenarios.js';

/** The figures of one server (ours or the reference) under one scenario's load. */
export interface Measurement {
  readonly target: Target;
  readonly load: Load;
  readonly connectMs: number;
  readonly deliveries: number;
  readonly durationMs: number;
  readonly deliveriesPerSecond: number;
  readonly report: DeliveryReport;
  readonly timedOut: boolean;
  readonly closedClients: number;
  /** Server CPU (user + system) over the measured round, summed over nodes. */
  readonly serverCpuSeconds: number;
  readonly serverCpuMicrosPerDelivery: number;
  readonly backingCpuSeconds: number;
  /** CPU the Redis servers report of themselves (`INFO cpu`, user + system) over the round; NaN without Redis. */
  readonly redisCpuSeconds: number;
  /** That CPU per message sent (not per delivery: Redis handles each message once); NaN without Redis. */
  readonly redisCpuMicrosPerMessage: number;
  /** The load generator's CPU over the measured round: near one core means it set the pace. */
  readonly loadGeneratorCpuSeconds: number;
  /** Server RSS with every client connected and idle. */
  readonly rssIdleBytes: number;
  /** RSS growth per connection between 10% and 100% of the clients connected, both after a full GC. */
  readonly rssPerIdleConnectionBytes: number;
  /** V8 heap growth per connection over the same step, after a full GC: the steadiest memory figure. */
  readonly heapPerIdleConnectionBytes: number;
  readonly peakRssBytes: number;
}

/** The scenario cannot run against this build; reported, not failed. */
export class UnavailableError extends Error {
  readonly code = 'BENCH_UNAVAILABLE';
}

const SETTLE_MS = 500;
const IDLE_SETTLE_MS = 1000;
const CONNECT_TIMEOUT_MS = 120_000;

/**
 * Starts the deployment, connects the clients in two steps with a memory sample after each,
 * runs a warm-up round, then the measured round between two CPU samples; stops everything it
 * started.
 */
export async function measure(
  scenario: Scenario,
  target: Target,
  options: BenchOptions,
  artifacts: Artifacts,
  loadgenScript: string,
): Promise<Measurement> {
  const load = scenario.load(options, target);
  const deployment = await scenario.start(target, artifacts);
  const problem = await scenario.probe?.(deployment).catch((error: unknown) => String(error));
  if (problem !== undefined) {
    await stopAll(deployment);
    throw new UnavailableError(problem);
  }
  const loadgen = LoadGenerator.start(loadgenScript, artifacts.openFiles);
  try {
    const pids = deployment.servers.map((server) => server.pid);
    const backingPids = deployment.backing.map((backing) => backing.pid);
    // Memory per connection is the slope between two populations, both past start-up.
    const firstClients = Math.max(1, Math.floor(load.clients / 10));
    await sleep(SETTLE_MS);
    const firstConnectMs = await loadgen.connect(deployment.urls, firstClients, load.shape, CONNECT_TIMEOUT_MS);
    await sleep(IDLE_SETTLE_MS);
    const beforeClients = await sampleAfterGc(deployment.servers);
    const connectMs =
      firstConnectMs + (await loadgen.connect(deployment.urls, load.clients, load.shape, CONNECT_TIMEOUT_MS));
    await sleep(IDLE_SETTLE_MS);
    const idle = await sampleAfterGc(deployment.servers);
    const round = {
      senders: load.senders,
      payloadBytes: load.payload,
      window: load.window,
      rate: load.rate,
      roomSize: load.shape.roomSize,
    };
    if (load.warmup > 0) {
      await loadgen.round({ ...round, messages: load.warmup, timeoutMs: options.roundTimeoutMs });
    }
    const redisPorts = deployment.redisPorts ?? [];
    const redisBefore = redisPorts.length > 0 ? await redisCpuSeconds(redisPorts) : Number.NaN;
    const before = [sampleProcesses(pids), sampleProcesses(backingPids), sampleProcesses([loadgen.pid])] as const;
    const result = await loadgen.round({ ...round, messages: load.messages, timeoutMs: options.roundTimeoutMs });
    const after = [sampleProcesses(pids), sampleProcesses(backingPids), sampleProcesses([loadgen.pid])] as const;
    const redisCpu = redisPorts.length > 0 ? (await redisCpuSeconds(redisPorts)) - redisBefore : Number.NaN;
    const messagesSent = load.senders * load.messages;
    const deliveries = result.report.delivered;
    const serverCpuSeconds = after[0].cpuSeconds - before[0].cpuSeconds;
    return {
      target,
      load,
      connectMs,
      deliveries,
      durationMs: result.durationMs,
      deliveriesPerSecond: deliveries / (result.durationMs / 1000),
      report: result.report,
      timedOut: result.timedOut,
      closedClients: result.closedClients,
      serverCpuSeconds,
      serverCpuMicrosPerDelivery: deliveries === 0 ? Number.NaN : (serverCpuSeconds * 1e6) / deliveries,
      backingCpuSeconds: after[1].cpuSeconds - before[1].cpuSeconds,
      redisCpuSeconds: redisCpu,
      redisCpuMicrosPerMessage: (redisCpu * 1e6) / messagesSent,
      loadGeneratorCpuSeconds: after[2].cpuSeconds - before[2].cpuSeconds,
      rssIdleBytes: idle.rssBytes,
      rssPerIdleConnectionBytes: (idle.rssBytes - beforeClients.rssBytes) / (load.clients - firstClients || 1),
      heapPerIdleConnectionBytes:
        (idle.heapUsedBytes - beforeClients.heapUsedBytes) / (load.clients - firstClients || 1),
      peakRssBytes: after[0].peakRssBytes,
    };
  } finally {
    await loadgen.stop();
    await stopAll(deployment);
  }
}

async function stopAll(deployment: Deployment): Promise<void> {
  await Promise.all(deployment.servers.map((server) => server.stop()));
  await Promise.all(deployment.backing.map((backing) => backing.stop()));
  await deployment.cleanup?.();
}
