/**
 * How fast one connection may send frames: `perSecond` on average, `burst` at once, and how long
 * it may keep sending over the limit before it is cut off. `perSecond` 0 switches the limit off.
 */
export interface RateLimit {
  readonly perSecond: number;
  readonly burst: number;
  readonly cutAfterMs: number;
}

export const DEFAULT_RATE_LIMIT: RateLimit = { perSecond: 20, burst: 40, cutAfterMs: 10_000 };

/** What becomes of a frame a connection sends. */
export type FrameVerdict = 'allowed' | 'limited' | 'cut';

/**
 * The token bucket as GCRA (generic cell rate algorithm) keeps it: one number per connection, the
 * theoretical arrival time `tat` of its next frame. A frame at `now` is allowed while `tat` is at
 * most `burst - 1` intervals ahead of `now`; allowing it moves `tat` one interval on from
 * `max(tat, now)`. Resolves with the new `tat`, or undefined when the frame is over the limit.
 */
export function nextArrival(tat: number | undefined, now: number, limit: RateLimit): number | undefined {
  const interval = 1000 / limit.perSecond;
  const due = tat === undefined || tat < now ? now : tat;
  return due - now <= (limit.burst - 1) * interval ? due + interval : undefined;
}

/**
 * How long limited frames may be apart and still be one flood: half the cut-off (at least a
 * second, and two intervals). A flood that gets a frame through now and then is still a flood,
 * and so is one whose frames a busy server handles in spurts; someone who hits the limit once,
 * then again a minute later, has two short episodes, not one long one.
 */
export const floodGapMs = (limit: RateLimit): number => Math.max(2000 / limit.perSecond, 1000, limit.cutAfterMs / 2);

/** When the flood a frame over the limit at `now` belongs to began, given the previous one's start and last frame. */
export function floodStart(
  previous: { since: number; last: number } | undefined,
  now: number,
  limit: RateLimit,
): number {
  return previous !== undefined && now - previous.last <= floodGapMs(limit) ? previous.since : now;
}

/** Whether a connection flooding since `since` has kept at it long enough to be cut. */
export const floodedLongEnough = (since: number, now: number, limit: RateLimit): boolean =>
  now - since >= limit.cutAfterMs;

export const rateLimited = (limit: RateLimit): boolean => limit.perSecond > 0;

/** No limit at all: what tests and load generators from one address use. */
export const NO_RATE_LIMIT: RateLimit = { perSecond: 0, burst: 1, cutAfterMs: 0 };
