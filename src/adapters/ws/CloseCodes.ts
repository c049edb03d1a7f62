/**
 * WebSocket close codes this transport sends (RFC 6455, section 7.4.1), the ones API Gateway
 * sends for the same reasons. The standalone server and the local emulator both use these.
 */
export const CloseCodes = {
  /** A close asked for by the server's owner (the Management API's DELETE). */
  normal: 1000,
  /** Server shutting down, idle timeout, or maximum connection age reached. */
  goingAway: 1001,
  /** A binary frame: API Gateway accepts text frames only. */
  unsupportedData: 1003,
  /**
   * The client broke a rule that is not about size: it fell too far behind on reading, sent too
   * many frames for one message, or left a message incomplete for too long.
   */
  policyViolation: 1008,
  /** A frame or a message over its size limit. */
  messageTooBig: 1009,
} as const;
