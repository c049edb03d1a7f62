import { booleanSetting, type Env, integerSetting, stringSetting } from '../env.js';
import { LAMBDA_ENV } from '../lambda/config.js';
import { STAGE_THROTTLE_DEFAULTS } from '../lambda/deployedLimits.js';
import { readTransportLimits, type TransportLimits } from '../transportLimits.js';
import type { Throttle } from './TokenBucket.js';

/**
 * API Gateway's account throttle per Region, shared by every API of the account and by their
 * `@connections` callbacks: 10,000 requests per second, with a bucket of 5,000 (its quotas page;
 * some newer Regions have 2,500 and 1,250).
 */
export const ACCOUNT_THROTTLE: Throttle = { ratePerSecond: 10_000, burst: 5_000 };

/**
 * New WebSocket connections per second per account and Region: 500 (the WebSocket quotas page).
 * AWS states no burst for it; the emulator allows one second's worth at once.
 */
export const NEW_CONNECTIONS_THROTTLE: Throttle = { ratePerSecond: 500, burst: 500 };

/** Everything the local API Gateway reads from its environment. */
export interface AwsLocalConfig extends TransportLimits {
  readonly host: string;
  readonly port: number;
  readonly stage: string;
  readonly tableName: string;
  readonly roomsTableName: string;
  /** Set: use that DynamoDB-compatible server; unset: an embedded, in-memory dynalite. */
  readonly dynamoDbEndpoint: string | undefined;
  /** Lambda execution environments (worker threads) serving invocations concurrently. */
  readonly lambdaWorkers: number;
  /** Invocations of one connection running at once: 1 with `AWS_LOCAL_SERIAL=1` (debugging). */
  readonly maxInvocationsPerConnection: number;
  /** Invocations running at once in the whole emulator. */
  readonly maxInvocations: number;
  /** The account's throttle: client messages and `@connections` calls draw on it. */
  readonly accountThrottle: Throttle;
  /** The stage's default route throttling, as the stack deploys it. */
  readonly stageThrottle: Throttle;
  /** New connections per second, the account's WebSocket quota. */
  readonly newConnectionsThrottle: Throttle;
}

/**
 * Defaults are API Gateway's limits and the stack's deployed settings; the timeouts are
 * configurable so tests can shorten them, the throttles so that a load test can run at what a
 * quota increase or another stage setting would allow (0 switches a throttle off).
 */
export function readAwsLocalConfig(env: Env): AwsLocalConfig {
  const dynamoDbEndpoint = stringSetting(env, LAMBDA_ENV.dynamoDbEndpoint, '');
  return {
    host: stringSetting(env, 'HOST', '127.0.0.1'),
    port: integerSetting(env, 'PORT', 8080, 0, 65535),
    stage: stringSetting(env, 'STAGE', 'local'),
    tableName: stringSetting(env, LAMBDA_ENV.tableName, 'chat-connections'),
    roomsTableName: stringSetting(env, LAMBDA_ENV.roomsTableName, 'chat-rooms'),
    dynamoDbEndpoint: dynamoDbEndpoint === '' ? undefined : dynamoDbEndpoint,
    ...readTransportLimits(env),
    lambdaWorkers: integerSetting(env, 'LAMBDA_WORKERS', 2, 1, 64),
    maxInvocationsPerConnection: booleanSetting(env, 'AWS_LOCAL_SERIAL', false)
      ? 1
      : integerSetting(env, 'AWS_LOCAL_CONNECTION_INVOCATIONS', 4, 1, 1024),
    maxInvocations: integerSetting(env, 'AWS_LOCAL_MAX_INVOCATIONS', 64, 1, 100_000),
    accountThrottle: {
      ratePerSecond: integerSetting(env, 'AWS_LOCAL_ACCOUNT_RPS', ACCOUNT_THROTTLE.ratePerSecond),
      burst: integerSetting(env, 'AWS_LOCAL_ACCOUNT_BURST', ACCOUNT_THROTTLE.burst, 1),
    },
    // The CDK context values throttleRateLimit and throttleBurstLimit, as variables.
    stageThrottle: {
      ratePerSecond: integerSetting(env, 'THROTTLE_RATE_LIMIT', STAGE_THROTTLE_DEFAULTS.rateLimit),
      burst: integerSetting(env, 'THROTTLE_BURST_LIMIT', STAGE_THROTTLE_DEFAULTS.burstLimit, 1),
    },
    newConnectionsThrottle: {
      ratePerSecond: integerSetting(env, 'AWS_LOCAL_NEW_CONNECTIONS_PER_S', NEW_CONNECTIONS_THROTTLE.ratePerSecond),
      burst: integerSetting(env, 'AWS_LOCAL_NEW_CONNECTIONS_BURST', NEW_CONNECTIONS_THROTTLE.burst, 1),
    },
  };
}
