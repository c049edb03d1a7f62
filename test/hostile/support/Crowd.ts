import { ChatClient, eventually } from '../../support/ChatClient.js';

/** What well-behaved clients saw during one phase of chatting. */
export interface CrowdReport {
  readonly sent: number;
  /** Copies the rooms should have received: each message once per member of its room, sender included. */
  readonly expected: number;
  readonly lost: number;
  readonly duplicated: number;
  /** From send to receipt, over every copy received, ms. */
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly worstMs: number;
}

const PREFIX = 'crowd|';

/**
 * Many ordinary clients chatting in rooms of `roomSize`, each sending now and then, every copy
 * timed on this process's clock: what a hostile client's neighbours experience.
 */
export class Crowd {
  private readonly received: Array<Map<string, number>>;
  private readonly latencies: number[] = [];
  private phase = 0;

  private constructor(
    private readonly clients: readonly ChatClient[],
    private readonly roomSize: number,
  ) {
    this.received = clients.map(() => new Map());
    clients.forEach((client, index) => {
      client.socket.on('message', (data) => {
        const text = data.toString();
        if (!text.startsWith(PREFIX)) return;
        const [, phase, key, sentAt] = text.split('|');
        if (Number(phase) !== this.phase) return;
        const seen = this.received[index] as Map<string, number>;
        seen.set(key as string, (seen.get(key as string) ?? 0) + 1);
        this.latencies.push(performance.now() - Number(sentAt));
      });
    });
  }

  /** Connects `count` clients, 100 at a time, and puts each in its room. */
  static async start(url: string, count: number, roomSize: number): Promise<Crowd> {
    const clients: ChatClient[] = [];
    for (let i = 0; i < count; i += 100) {
      const batch = Math.min(100, count - i);
      clients.push(...(await Promise.all(Array.from({ length: batch }, () => ChatClient.connect(url, 30_000)))));
    }
    clients.forEach((client, index) => {
      client.send(JSON.stringify({ action: 'joinRoom', room: roomOf(index, roomSize) }));
    });
    await eventually(
      () => clients.every((client) => client.frames.some((frame) => frame.includes('"joined"'))),
      60_000,
    );
    return new Crowd(clients, roomSize);
  }

  /**
   * Every client sends one message to its room each `intervalMs` (spread over the interval) for
   * `durationMs`; then waits up to `settleMs` for the copies, and reports.
   */
  async chat(durationMs: number, intervalMs: number, settleMs = 15_000): Promise<CrowdReport> {
    this.phase++;
    for (const seen of this.received) seen.clear();
    this.latencies.length = 0;
    const phase = this.phase;
    const sentBy = this.clients.map(() => 0);
    const timers: NodeJS.Timeout[] = [];
    const until = performance.now() + durationMs;
    await new Promise<void>((resolve) => {
      let running = this.clients.length;
      this.clients.forEach((client, index) => {
        const send = () => {
          if (performance.now() >= until) {
            if (--running === 0) resolve();
            return;
          }
          const key = `${index}:${sentBy[index]}`;
          sentBy[index] = (sentBy[index] as number) + 1;
          const data = `${PREFIX}${phase}|${key}|${performance.now()}`;
          client.send(JSON.stringify({ action: 'sendMessage', room: roomOf(index, this.roomSize), data }));
          timers.push(setTimeout(send, intervalMs));
        };
        timers.push(setTimeout(send, Math.random() * intervalMs));
      });
    });
    for (const timer of timers) clearTimeout(timer);
    const sent = sentBy.reduce((sum, count) => sum + count, 0);
    const expectedBy = this.clients.map((_client, index) => this.sentInRoomOf(index, sentBy));
    const arrived = () => this.received.every((seen, index) => seen.size >= (expectedBy[index] as number));
    const deadline = Date.now() + settleMs;
    while (!arrived() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 50));
    let unique = 0;
    let copies = 0;
    for (const seen of this.received) {
      unique += seen.size;
      for (const count of seen.values()) copies += count;
    }
    const expected = expectedBy.reduce((sum, count) => sum + count, 0);
    const sorted = [...this.latencies].sort((a, b) => a - b);
    const at = (q: number) => Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0);
    return {
      sent,
      expected,
      lost: expected - unique,
      duplicated: copies - unique,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      worstMs: Math.round(sorted[sorted.length - 1] ?? 0),
    };
  }

  /** Every frame the first client received so far, in order. */
  framesOfFirstClient(): readonly string[] {
    return this.clients[0]?.frames ?? [];
  }

  close(): void {
    for (const client of this.clients) client.vanish();
  }

  /** Messages sent by the members of `index`'s room, the client itself included. */
  private sentInRoomOf(index: number, sentBy: readonly number[]): number {
    const first = Math.floor(index / this.roomSize) * this.roomSize;
    let total = 0;
    for (let member = first; member < Math.min(first + this.roomSize, sentBy.length); member++) {
      total += sentBy[member] as number;
    }
    return total;
  }
}

const roomOf = (index: number, roomSize: number) => `crowd-${Math.floor(index / roomSize)}`;
