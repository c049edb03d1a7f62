import { appendFileSync } from 'node:fs';
import { RawWebSocket } from '../../support/RawWebSocket.js';
import { Probe, type ProbeReport } from './Probe.js';
import { type Observed, ProcessMonitor } from './ProcessMonitor.js';
import type { RunningTarget } from './targets.js';

export interface AttackReport extends Observed, ProbeReport {}

/** How long the probe chats before the attack, for the round trip the attack is compared with. */
const BASELINE_MS = 2000;

/**
 * Runs `attack` against `target` (and watches for at least `minimumMs`) while a monitor samples the server's memory and HTTP answer
 * time and a probe pair keeps chatting; reports what both saw. The probe chats for `BASELINE_MS`
 * first: the report gives its round trip at rest and under attack, and the difference (the issue's
 * measure of fairness, reported rather than asserted: one timing on a shared machine proves
 * little). With `HOSTILE_REPORT` set, the figures are also appended to that file (one JSON line
 * per scenario) for before/after notes.
 */
export async function underAttack(
  target: RunningTarget,
  label: string,
  attack: () => Promise<void>,
  minimumMs = 1000,
  probeIntervalMs = 100,
): Promise<AttackReport> {
  const probe = await Probe.start(target.url, target.ordersPerSender, probeIntervalMs);
  await sleep(BASELINE_MS);
  probe.attackBegins();
  const monitor = new ProcessMonitor(target.process.child.pid as number, target.httpUrl);
  const started = Date.now();
  const outcome = await attack().then(
    () => undefined,
    (error: unknown) => ({ error }),
  );
  // An attack the server shrugs off quickly is still watched for a while: effects can lag.
  await sleep(minimumMs - (Date.now() - started));
  // Stopped and reported even when the attack failed, so a failure still says what happened.
  const report = { ...(await monitor.stop()), ...(await probe.stop()) };
  record(label, report);
  if (outcome !== undefined) throw outcome.error;
  return report;
}

export function record(label: string, figures: object): void {
  const file = process.env.HOSTILE_REPORT;
  if (file !== undefined && file !== '') appendFileSync(file, `${JSON.stringify({ label, ...figures })}\n`);
}

/** Opens `count` raw connections, `batch` at a time, from `localAddress` when given. */
export async function rawClients(
  url: string,
  count: number,
  batch = 50,
  localAddress?: string,
): Promise<RawWebSocket[]> {
  const made: RawWebSocket[] = [];
  for (let i = 0; i < count; i += batch) {
    const size = Math.min(batch, count - i);
    made.push(...(await Promise.all(Array.from({ length: size }, () => RawWebSocket.connect(url, {}, localAddress)))));
  }
  return made;
}

/** Resolves once `condition` holds, or false after `timeoutMs`. */
export async function within(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return true;
}

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
