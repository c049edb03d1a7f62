/**
 * The names the Lambda handlers publish their metrics under, in CloudWatch's embedded metric
 * format. The stack's dashboard reads the same names, so they live apart from the adapter (and
 * its Powertools import) where the CDK app can import them.
 */
export const CHAT_METRICS = {
  /** The CloudWatch namespace, unless `POWERTOOLS_METRICS_NAMESPACE` names another. */
  namespace: 'WebSocketChat',
  /** The `service` dimension of every metric, unless `POWERTOOLS_SERVICE_NAME` names another. */
  service: 'chat',
  /** Frames delivered to clients, summed over an invocation's broadcasts (Count). */
  deliveries: 'Deliveries',
  /** Deliveries that found their connection gone (Count). */
  gone: 'Gone',
  /** Broadcasts (a message, a presence change) an invocation made (Count). */
  broadcasts: 'Broadcasts',
  /** Time to deliver one broadcast to its audience, one value per broadcast (Milliseconds). */
  broadcastDuration: 'BroadcastDuration',
  /** Client frames routed (Count); the route rides along as metadata, not as a dimension. */
  frames: 'Frames',
  /** Frames dropped over their sender's rate limit (Count). */
  rateLimited: 'RateLimited',
  /** Senders disconnected for flooding (Count). */
  rateLimitCuts: 'RateLimitCuts',
} as const;
