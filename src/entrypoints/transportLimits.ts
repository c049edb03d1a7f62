import { type Env, integerSetting } from './env.js';

const MINUTE = 60_000;

/**
 * What each WebSocket front end (the standalone and cluster server, the local API Gateway)
 * enforces on every connection, read once for both so that a client meets the same limits
 * everywhere: API Gateway's quotas, and the shutdown grace. Tests shorten the timeouts.
 */
export interface TransportLimits {
  /** A larger message closes its connection with 1009. */
  readonly maxMessageBytes: number;
  /** A connection that sends nothing for this long is closed with 1001. */
  readonly idleTimeoutMs: number;
  /** Any connection is closed with 1001 once it is this old. */
  readonly maxConnectionAgeMs: number;
  /** How long clients get to acknowledge the 1001 close on shutdown. */
  readonly shutdownGraceMs: number;
}

/** Reads the limits; the defaults are API Gateway's (128 KiB, 10 minutes idle, 2 hours). */
export function readTransportLimits(env: Env): TransportLimits {
  return {
    maxMessageBytes: integerSetting(env, 'MAX_MESSAGE_BYTES', 128 * 1024, 1),
    idleTimeoutMs: integerSetting(env, 'IDLE_TIMEOUT_MS', 10 * MINUTE, 1),
    maxConnectionAgeMs: integerSetting(env, 'MAX_CONNECTION_AGE_MS', 120 * MINUTE, 1),
    shutdownGraceMs: integerSetting(env, 'SHUTDOWN_GRACE_MS', 5000, 0),
  };
}
