/** WebSocket close codes this server sends (RFC 6455, section 7.4.1). */
export const CloseCodes = {
  /** Server shutting down, idle timeout, or maximum connection age reached. */
  goingAway: 1001,
  /** The client fell too far behind on reading its frames. */
  policyViolation: 1008,
  /** A message over the size limit (sent by `ws` itself through `maxPayload`). */
  messageTooBig: 1009,
} as const;
