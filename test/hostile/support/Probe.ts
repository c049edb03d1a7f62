import { percentile } from '../../../bench/percentiles.js';
import { ChatClient } from '../../support/ChatClient.js';

/** What the probe clients saw while a scenario ran. */
export interface ProbeReport {
  readonly sent: number;
  /** Slowest round trip of a probe message sent under attack, ms (unanswered ones count their wait). */
  readonly worstRoundTripMs: number;
  /** Round trips of the messages sent before the attack began, ms: what the probe sees of the server at rest. */
  readonly baselineP50Ms: number;
  readonly baselineP99Ms: number;
  /** Round trips of the messages sent under attack, ms (unanswered ones count their wait). */
  readonly p50RoundTripMs: number;
  readonly p99RoundTripMs: number;
  /** What the attack added to the probe's round trip, ms: under attack minus at rest. */
  readonly addedP50Ms: number;
  readonly addedP99Ms: number;
  /** Every probe message reached both the sender and the observer, once each (and in order, where the shape keeps it). */
  readonly allArrived: boolean;
}

/**
 * Two well-behaved clients: one sends a numbered message every `intervalMs` and times the
 * round trip to its own copy; the other only listens. Both must get every message, once (in
 * order where the shape keeps a sender's order; API Gateway does not):
 * whatever a hostile client does, everyone else's chat goes on. The messages sent before
 * `attackBegins` are the baseline the others are compared with.
 */
export class Probe {
  private sentAt = new Map<string, number>();
  private roundTrips = new Map<string, number>();
  private sent = 0;
  /** The number of the first probe message sent under attack. */
  private attackFrom = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly sender: ChatClient,
    private readonly observer: ChatClient,
    private readonly ordered: boolean,
  ) {
    sender.socket.on('message', (data) => {
      const frame = data.toString();
      const started = this.sentAt.get(frame);
      if (started !== undefined && !this.roundTrips.has(frame)) this.roundTrips.set(frame, performance.now() - started);
    });
  }

  static async start(url: string, ordered = true, intervalMs = 100): Promise<Probe> {
    const [sender, observer] = await Promise.all([ChatClient.connect(url), ChatClient.connect(url)]);
    const probe = new Probe(sender as ChatClient, observer as ChatClient, ordered);
    probe.timer = setInterval(() => probe.send(), intervalMs);
    return probe;
  }

  /** Messages sent from now on are measured as under attack. */
  attackBegins(): void {
    this.attackFrom = this.sent;
  }

  /** Stops sending, gives the last messages `settleMs` to arrive, and reports. */
  async stop(settleMs = 5000): Promise<ProbeReport> {
    clearInterval(this.timer);
    const expected = [...this.sentAt.keys()];
    const arrived = (client: ChatClient) => probeFrames(client).length >= expected.length;
    const deadline = Date.now() + settleMs;
    while (Date.now() < deadline && !(arrived(this.sender) && arrived(this.observer))) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const now = performance.now();
    const baseline: number[] = [];
    const attacked: number[] = [];
    for (const [frame, at] of this.sentAt) {
      const roundTrip = this.roundTrips.get(frame) ?? now - at;
      (Number(frame.slice('probe-'.length)) < this.attackFrom ? baseline : attacked).push(roundTrip);
    }
    const sorted = (frames: string[]) => (this.ordered ? frames : [...frames].sort());
    const inOrder = (client: ChatClient) =>
      JSON.stringify(sorted(probeFrames(client))) === JSON.stringify(sorted(expected));
    const [atRest, underAttack] = [summary(baseline), summary(attacked)];
    const report = {
      sent: this.sent,
      worstRoundTripMs: Math.round(underAttack.worst),
      baselineP50Ms: Math.round(atRest.p50),
      baselineP99Ms: Math.round(atRest.p99),
      p50RoundTripMs: Math.round(underAttack.p50),
      p99RoundTripMs: Math.round(underAttack.p99),
      addedP50Ms: Math.round(underAttack.p50 - atRest.p50),
      addedP99Ms: Math.round(underAttack.p99 - atRest.p99),
      allArrived: inOrder(this.sender) && inOrder(this.observer),
    };
    this.sender.vanish();
    this.observer.vanish();
    return report;
  }

  private send(): void {
    const frame = `probe-${this.sent++}`;
    this.sentAt.set(frame, performance.now());
    this.sender.sendMessage(frame);
  }
}

/** Median, 99th percentile and slowest of `roundTrips` (0 for none). */
function summary(roundTrips: number[]): { p50: number; p99: number; worst: number } {
  if (roundTrips.length === 0) return { p50: 0, p99: 0, worst: 0 };
  const sorted = roundTrips.sort((a, b) => a - b);
  return { p50: percentile(sorted, 50), p99: percentile(sorted, 99), worst: sorted[sorted.length - 1] as number };
}

const probeFrames = (client: ChatClient) => client.frames.filter((frame) => frame.startsWith('probe-'));
