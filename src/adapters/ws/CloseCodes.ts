/**
 * WebSocket close codes this transport sends (RFC 6455, section 7.4.1), the ones API Gateway
 * sends for the same reasons. The standalone server and the local emulator both use these.
 */
export const CloseCodes = {
  /** A close asked for by the server's owner (the Management API's DELETE). */
  normal: 1000,
  /** Server shutting down, idle timeout, or maximum connection age reached. */
  goingAway: 1001,
  /** The client fell too far behind on reading its frames. */
  policyViolation: 1008,
  /** A message over the size limit (sent by `ws` itself through `maxPayload`). */
  messageTooBig: 1009,
} as const;
