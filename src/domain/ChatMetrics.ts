/**
 * What the core reports for operators to watch. Cheap by contract: a broadcast is reported once,
 * with its totals, never once per recipient, so watching costs nothing per delivery.
 */
export interface ChatMetrics {
  /** A client frame was routed: to an action's route, or rejected (`invalid`). */
  frame(route: string): void;
  /** A frame over its sender's rate limit was dropped; `cut`: and its sender disconnected. */
  rateLimited(cut: boolean): void;
  /** A broadcast (a message, a presence change) reached its audience on this process. */
  broadcast(durationMs: number, delivered: number, gone: number): void;
}
