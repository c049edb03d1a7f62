/** How long and how often a post that API Gateway throttled (429) or failed (5xx) is tried again. */
export interface RetryPolicy {
  /** Tries in all, the first included. */
  readonly maxAttempts: number;
  /** The first retry waits up to this long; each later one up to twice the previous bound. */
  readonly baseDelayMs: number;
  /** No single wait is bounded above this. */
  readonly maxDelayMs: number;
  /** No retry starts once this long has passed since the first try. */
  readonly maxTotalMs: number;
}

/**
 * Up to twelve tries within 8 s: enough to ride out the account's `@connections` quota refilling
 * (it is a per-second rate) and one timed-out request (5 s), short enough to finish inside the
 * fan-out function's margin before its timeout. Twelve, not fewer, so that the 8 s is what runs
 * out: six tries spend only about 1.5 s of waits, and with the quota binding (a broadcast posting
 * 1.5 times faster than it allows, measured on the emulator) one post in a thousand was throttled
 * on all six and lost.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 12,
  baseDelayMs: 50,
  maxDelayMs: 1000,
  maxTotalMs: 8000,
};

/** Failures below HTTP (no status): the connection or the request timed out, or was reset. */
const TRANSIENT_NETWORK = new Set(['TimeoutError', 'ECONNRESET', 'ECONNREFUSED', 'EPIPE', 'ETIMEDOUT', 'EAI_AGAIN']);

/**
 * The wait before retry number `retry` (1 for the first): "full jitter", a uniform draw below the
 * capped exponential bound, so that posts throttled together do not all come back together.
 */
export function backoffMs(policy: RetryPolicy, retry: number, random: () => number = Math.random): number {
  const bound = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (retry - 1));
  return Math.floor(random() * bound);
}

/** The HTTP status an SDK v3 error carries, if any. */
export function statusOf(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | null)?.$metadata?.httpStatusCode;
}

/**
 * Throttled (429), a service failure (5xx), or a network failure before any answer: worth
 * another try. A request that timed out may have been delivered, so its retry can duplicate the
 * frame; losing it silently would be worse. Anything else is final.
 */
export function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  if (status !== undefined) return status === 429 || status >= 500;
  const { name, code } = (error ?? {}) as { name?: unknown; code?: unknown };
  return TRANSIENT_NETWORK.has(String(name)) || TRANSIENT_NETWORK.has(String(code));
}
