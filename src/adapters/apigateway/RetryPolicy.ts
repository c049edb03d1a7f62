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
 * Six tries within 3 s: enough to ride out the account's `@connections` quota refilling (it is a
 * per-second rate), short enough that a worker's time bound is never spent on one recipient.
 */
export const DEFAULT_RETRY_POLICY: RetryPolicy = {
  maxAttempts: 6,
  baseDelayMs: 50,
  maxDelayMs: 1000,
  maxTotalMs: 3000,
};

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

/** Throttled (429) or a service failure (5xx): worth another try. Anything else is final. */
export function isRetryable(error: unknown): boolean {
  const status = statusOf(error);
  return status !== undefined && (status === 429 || status >= 500);
}
