import {
  DEFAULT_INBOUND_LIMITS,
  DEFAULT_SLOW_CLIENT_LIMITS,
  type InboundLimits,
  type SlowClientLimits,
} from '../adapters/ws/index.js';
import { type Env, integerSetting } from './env.js';

const MINUTE = 60_000;

/**
 * What each WebSocket front end (the standalone and cluster server, the local API Gateway)
 * enforces on every connection, read once for both so that a client meets the same limits
 * everywhere: API Gateway's quotas (frame and message size, idle and age), the bounds that keep
 * one client from hurting the others, and the shutdown grace. Tests shorten the timeouts.
 */
export interface TransportLimits extends InboundLimits, Pick<SlowClientLimits, 'maxBufferedBytes'> {
  /** A connection that sends nothing for this long is closed with 1001. */
  readonly idleTimeoutMs: number;
  /** Any connection is closed with 1001 once it is this old. */
  readonly maxConnectionAgeMs: number;
  /** How long clients get to acknowledge the 1001 close on shutdown. */
  readonly shutdownGraceMs: number;
}

/** Reads the limits; the defaults are API Gateway's (32 KiB frames, 128 KiB messages, 10 minutes idle, 2 hours). */
export function readTransportLimits(env: Env): TransportLimits {
  const inbound = DEFAULT_INBOUND_LIMITS;
  return {
    maxFrameBytes: integerSetting(env, 'MAX_FRAME_BYTES', inbound.maxFrameBytes, 1),
    maxMessageBytes: integerSetting(env, 'MAX_MESSAGE_BYTES', inbound.maxMessageBytes, 1),
    maxFramesPerMessage: integerSetting(env, 'MAX_FRAMES_PER_MESSAGE', inbound.maxFramesPerMessage, 1),
    incompleteMessageTimeoutMs: integerSetting(
      env,
      'INCOMPLETE_MESSAGE_TIMEOUT_MS',
      inbound.incompleteMessageTimeoutMs,
      1,
    ),
    maxBufferedBytes: integerSetting(env, 'MAX_BUFFERED_BYTES', DEFAULT_SLOW_CLIENT_LIMITS.maxBufferedBytes, 1),
    idleTimeoutMs: integerSetting(env, 'IDLE_TIMEOUT_MS', 10 * MINUTE, 1),
    maxConnectionAgeMs: integerSetting(env, 'MAX_CONNECTION_AGE_MS', 120 * MINUTE, 1),
    shutdownGraceMs: integerSetting(env, 'SHUTDOWN_GRACE_MS', 5000, 0),
  };
}
