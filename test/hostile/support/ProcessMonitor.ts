import { readFileSync } from 'node:fs';
import { get } from 'node:http';

/** What a monitor saw of a server process while a scenario ran. */
export interface Observed {
  /** Resident memory when monitoring started, MiB. */
  readonly rssStartMiB: number;
  /** Highest resident memory seen since, MiB. */
  readonly rssPeakMiB: number;
  /** `rssPeakMiB - rssStartMiB`. */
  readonly rssGrowthMiB: number;
  /** Slowest HTTP answer, ms; a request still unanswered at the end counts its time so far. */
  readonly worstHttpMs: number;
  readonly httpRequests: number;
}

/** Resident memory of `pid`, MiB, from /proc (Linux). */
export function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  return kib / 1024;
}

/**
 * Samples a server's resident memory and, one request after another, how long it takes to
 * answer a plain HTTP GET: a server whose event loop is blocked answers late, whatever it says.
 */
export class ProcessMonitor {
  private readonly rssStart: number;
  private rssPeak: number;
  private worstHttp = 0;
  private requests = 0;
  private inFlightSince: number | undefined;
  private running = true;
  private readonly sampler: NodeJS.Timeout;
  private readonly prober: Promise<void>;

  constructor(
    private readonly pid: number,
    private readonly httpUrl: string,
    intervalMs = 50,
  ) {
    this.rssStart = rssMiB(pid);
    this.rssPeak = this.rssStart;
    this.sampler = setInterval(() => this.sample(), intervalMs);
    this.prober = this.probe(intervalMs);
  }

  /** Stops sampling and reports. */
  async stop(): Promise<Observed> {
    this.running = false;
    clearInterval(this.sampler);
    this.sample();
    if (this.inFlightSince !== undefined) {
      this.worstHttp = Math.max(this.worstHttp, performance.now() - this.inFlightSince);
    }
    const worstHttpMs = Math.round(this.worstHttp);
    const rssPeakMiB = Math.round(this.rssPeak);
    const rssStartMiB = Math.round(this.rssStart);
    // The last request may wait on a frozen server; its time so far is already counted.
    void this.prober;
    return {
      rssStartMiB,
      rssPeakMiB,
      rssGrowthMiB: rssPeakMiB - rssStartMiB,
      worstHttpMs,
      httpRequests: this.requests,
    };
  }

  private sample(): void {
    try {
      this.rssPeak = Math.max(this.rssPeak, rssMiB(this.pid));
    } catch {
      // The process has exited: its last sample stands.
    }
  }

  private async probe(intervalMs: number): Promise<void> {
    while (this.running) {
      this.inFlightSince = performance.now();
      const answered = await httpGet(this.httpUrl);
      const took = performance.now() - this.inFlightSince;
      this.inFlightSince = undefined;
      if (!answered) break;
      this.requests++;
      this.worstHttp = Math.max(this.worstHttp, took);
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  }
}

/** Resolves true once any HTTP answer arrives, false if the connection fails. */
function httpGet(url: string): Promise<boolean> {
  return new Promise((resolve) => {
    get(url, { agent: false }, (response) => {
      response.resume();
      response.once('end', () => resolve(true));
    }).once('error', () => resolve(false));
  });
}
