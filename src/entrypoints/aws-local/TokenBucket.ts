import { nextArrival } from '../../domain/index.js';

/** A throttle as API Gateway states one: a steady rate, and a burst (the bucket's size) on top. */
export interface Throttle {
  /** Requests per second, steady state; 0 switches the throttle off. */
  readonly ratePerSecond: number;
  /** Requests accepted at once from a full bucket (at least 1). */
  readonly burst: number;
}

/**
 * API Gateway's token bucket: a request takes a token or is throttled; tokens come back at the
 * rate, up to the burst. Kept as the chat's own rate limit keeps it (GCRA, one number), so the
 * emulator and the chat count tokens the same way.
 */
export class TokenBucket {
  private tat: number | undefined;
  /** Requests throttled so far, for operators and tests. */
  throttled = 0;

  constructor(
    readonly throttle: Throttle,
    private readonly now: () => number = () => performance.now(),
  ) {}

  /** Takes a token: false when the bucket is empty and the request is throttled. */
  take(): boolean {
    if (this.throttle.ratePerSecond <= 0) return true;
    const limit = { perSecond: this.throttle.ratePerSecond, burst: Math.max(1, this.throttle.burst), cutAfterMs: 0 };
    const next = nextArrival(this.tat, this.now(), limit);
    if (next === undefined) {
      this.throttled++;
      return false;
    }
    this.tat = next;
    return true;
  }
}
