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
 * Whether a connection over the limit since `limitedSince` has kept at it long enough to be cut.
 * It stops counting as over the limit only once it sends a frame no sooner than that frame was
 * due: a flood that gets a frame through now and then is still a flood.
 */
export const floodedLongEnough = (limitedSince: number, now: number, limit: RateLimit): boolean =>
  now - limitedSince >= limit.cutAfterMs;

export const rateLimited = (limit: RateLimit): boolean => limit.perSecond > 0;

/** No limit at all: what tests and load generators from one address use. */
export const NO_RATE_LIMIT: RateLimit = { perSecond: 0, burst: 1, cutAfterMs: 0 };
