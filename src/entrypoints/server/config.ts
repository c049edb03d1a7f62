import { type ChatSettings, readChatSettings } from '../chatSettings.js';
import { type Env, integerSetting, stringSetting } from '../env.js';
import { readTransportLimits, type TransportLimits } from '../transportLimits.js';

const KIB = 1024;

/** Everything the standalone server reads from its environment. */
export interface ServerConfig extends TransportLimits {
  readonly host: string;
  readonly port: number;
  readonly heartbeatIntervalMs: number;
  readonly maxConcurrentDeliveries: number;
  /** Set: join the Redis cluster; unset: run on the in-memory default. */
  readonly redisUrl: string | undefined;
  /** Cluster settings, read whether or not `redisUrl` is set. */
  readonly cluster: ClusterConfig;
  /** Rooms, member lists and history, as on every runtime shape. */
  readonly chat: ChatSettings;
}

/** How a node takes part in the Redis cluster. */
export interface ClusterConfig {
  /** Every Redis key and channel of this chat starts with it. */
  readonly keyPrefix: string;
  /** A node that stops beating is purged by the others within twice this interval. */
  readonly heartbeatIntervalMs: number;
  /** Most broadcasts held for the other nodes while Redis is unreachable. */
  readonly maxHeldFrames: number;
  /** Most bytes of broadcasts held for the other nodes while Redis is unreachable. */
  readonly maxHeldBytes: number;
}

/** Defaults follow API Gateway's limits so the standalone server and the cloud behave alike. */
export function readServerConfig(env: Env): ServerConfig {
  const redisUrl = stringSetting(env, 'REDIS_URL', '');
  return {
    host: stringSetting(env, 'HOST', '0.0.0.0'),
    port: integerSetting(env, 'PORT', 8080, 0, 65535),
    ...readTransportLimits(env),
    heartbeatIntervalMs: integerSetting(env, 'HEARTBEAT_INTERVAL_MS', 30_000, 10),
    maxConcurrentDeliveries: integerSetting(env, 'BROADCAST_CONCURRENCY', 256, 1),
    redisUrl: redisUrl === '' ? undefined : redisUrl,
    chat: readChatSettings(env),
    cluster: {
      keyPrefix: stringSetting(env, 'REDIS_KEY_PREFIX', 'chat:'),
      heartbeatIntervalMs: integerSetting(env, 'REDIS_HEARTBEAT_MS', 5000, 20),
      maxHeldFrames: integerSetting(env, 'REDIS_MAX_HELD_FRAMES', 1000, 1),
      maxHeldBytes: integerSetting(env, 'REDIS_MAX_HELD_BYTES', 16 * KIB * KIB, 1),
    },
  };
}
