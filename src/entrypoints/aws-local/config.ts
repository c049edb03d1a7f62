import { booleanSetting, type Env, integerSetting, stringSetting } from '../env.js';
import { readTransportLimits, type TransportLimits } from '../transportLimits.js';

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
}

/** Defaults are API Gateway's limits; the timeouts are configurable so tests can shorten them. */
export function readAwsLocalConfig(env: Env): AwsLocalConfig {
  const dynamoDbEndpoint = stringSetting(env, 'DYNAMODB_ENDPOINT', '');
  return {
    host: stringSetting(env, 'HOST', '127.0.0.1'),
    port: integerSetting(env, 'PORT', 8080, 0, 65535),
    stage: stringSetting(env, 'STAGE', 'local'),
    tableName: stringSetting(env, 'CONNECTIONS_TABLE', 'chat-connections'),
    roomsTableName: stringSetting(env, 'ROOMS_TABLE', 'chat-rooms'),
    dynamoDbEndpoint: dynamoDbEndpoint === '' ? undefined : dynamoDbEndpoint,
    ...readTransportLimits(env),
    lambdaWorkers: integerSetting(env, 'LAMBDA_WORKERS', 2, 1, 64),
    maxInvocationsPerConnection: booleanSetting(env, 'AWS_LOCAL_SERIAL', false)
      ? 1
      : integerSetting(env, 'AWS_LOCAL_CONNECTION_INVOCATIONS', 16, 1, 1024),
    maxInvocations: integerSetting(env, 'AWS_LOCAL_MAX_INVOCATIONS', 512, 1, 100_000),
  };
}
