import type { RedisTarget } from '../../adapters/redis/index.js';
import type { ConnectionCaps } from '../../adapters/ws/index.js';
import { type AuthSettings, readAuthSettings } from '../authSettings.js';
import { type ChatSettings, readChatSettings } from '../chatSettings.js';
import { booleanSetting, type Env, integerSetting, stringSetting } from '../env.js';
import { readTransportLimits, type TransportLimits } from '../transportLimits.js';
import { type ReadFile, readRedisTarget } from './redisTarget.js';

const KIB = 1024;

/** Everything the standalone server reads from its environment. */
export interface ServerConfig extends TransportLimits, ConnectionCaps {
  readonly host: string;
  readonly port: number;
  readonly heartbeatIntervalMs: number;
  readonly maxConcurrentDeliveries: number;
  /** Set (`REDIS_URL`, `REDIS_SENTINELS` or `REDIS_CLUSTER_NODES`): join the Redis cluster; unset: run on the in-memory default. */
  readonly redis: RedisTarget | undefined;
  /** Cluster settings, read whether or not `redis` is set. */
  readonly cluster: ClusterConfig;
  /** Rooms, member lists and history, as on every runtime shape. */
  readonly chat: ChatSettings;
  /** Who may connect: tokens and origins, as on every runtime shape. */
  readonly auth: AuthSettings;
  /** `METRICS_PORT`: serve /metrics on this port only (on 127.0.0.1 unless `METRICS_HOST`); unset: on the chat's port. */
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
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
export function readServerConfig(env: Env, readFile?: ReadFile): ServerConfig {
  const metricsPort = integerSetting(env, 'METRICS_PORT', 0, 0, 65535);
  return {
    host: stringSetting(env, 'HOST', '0.0.0.0'),
    port: integerSetting(env, 'PORT', 8080, 0, 65535),
    ...readTransportLimits(env),
    heartbeatIntervalMs: integerSetting(env, 'HEARTBEAT_INTERVAL_MS', 30_000, 10),
    maxConcurrentDeliveries: integerSetting(env, 'BROADCAST_CONCURRENCY', 256, 1),
    maxConnections: integerSetting(env, 'MAX_CONNECTIONS', 50_000, 0),
    maxConnectionsPerIp: integerSetting(env, 'MAX_CONNECTIONS_PER_IP', 100, 0),
    trustProxy: booleanSetting(env, 'TRUST_PROXY', false),
    auth: readAuthSettings(env),
    metricsPort: metricsPort === 0 ? undefined : metricsPort,
    metricsHost: stringSetting(env, 'METRICS_HOST', '127.0.0.1'),
    redis: readRedisTarget(env, readFile),
    chat: readChatSettings(env),
    cluster: {
      keyPrefix: stringSetting(env, 'REDIS_KEY_PREFIX', 'chat:'),
      heartbeatIntervalMs: integerSetting(env, 'REDIS_HEARTBEAT_MS', 5000, 20),
      maxHeldFrames: integerSetting(env, 'REDIS_MAX_HELD_FRAMES', 1000, 1),
      maxHeldBytes: integerSetting(env, 'REDIS_MAX_HELD_BYTES', 16 * KIB * KIB, 1),
    },
  };
}
