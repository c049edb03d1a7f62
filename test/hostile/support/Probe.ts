import { ChatClient } from '../../support/ChatClient.js';

/** What the probe clients saw while a scenario ran. */
export interface ProbeReport {
  readonly sent: number;
  /** Slowest round trip of a probe message back to its sender, ms (unanswered ones count their wait). */
  readonly worstRoundTripMs: number;
  /** Every probe message reached both the sender and the observer, once each (and in order, where the shape keeps it). */
  readonly allArrived: boolean;
}

/**
 * Two well-behaved clients: one sends a numbered message every `intervalMs` and times the
 * round trip to its own copy; the other only listens. Both must get every message, once (in
 * order where the shape keeps a sender's order; API Gateway does not):
 * whatever a hostile client does, everyone else's chat goes on.
 */
export class Probe {
  private sentAt = new Map<string, number>();
  private worst = 0;
  private sent = 0;
  private timer: NodeJS.Timeout | undefined;

  private constructor(
    private readonly sender: ChatClient,
    private readonly observer: ChatClient,
    private readonly ordered: boolean,
  ) {
    sender.socket.on('message', (data) => {
      const started = this.sentAt.get(data.toString());
      if (started !== undefined) this.worst = Math.max(this.worst, performance.now() - started);
    });
  }

  static async start(url: string, ordered = true, intervalMs = 100): Promise<Probe> {
    const [sender, observer] = await Promise.all([ChatClient.connect(url), ChatClient.connect(url)]);
    const probe = new Probe(sender as ChatClient, observer as ChatClient, ordered);
    probe.timer = setInterval(() => probe.send(), intervalMs);
    return probe;
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
    for (const [frame, at] of this.sentAt) {
      if (!probeFrames(this.sender).includes(frame)) this.worst = Math.max(this.worst, now - at);
    }
    const sorted = (frames: string[]) => (this.ordered ? frames : [...frames].sort());
    const inOrder = (client: ChatClient) =>
      JSON.stringify(sorted(probeFrames(client))) === JSON.stringify(sorted(expected));
    const report = {
      sent: this.sent,
      worstRoundTripMs: Math.round(this.worst),
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

const probeFrames = (client: ChatClient) => client.frames.filter((frame) => frame.startsWith('probe-'));
