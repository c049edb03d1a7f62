import { type Env, integerSetting, stringSetting } from '../env.js';

const MINUTE = 60_000;

/** Everything the local API Gateway reads from its environment. */
export interface AwsLocalConfig {
  readonly host: string;
  readonly port: number;
  readonly stage: string;
  readonly tableName: string;
  /** Set: use that DynamoDB-compatible server; unset: an embedded, in-memory dynalite. */
  readonly dynamoDbEndpoint: string | undefined;
  readonly maxMessageBytes: number;
  readonly idleTimeoutMs: number;
  readonly maxConnectionAgeMs: number;
  readonly shutdownGraceMs: number;
  /** Lambda execution environments (worker threads) serving invocations concurrently. */
  readonly lambdaWorkers: number;
}

/** Defaults are API Gateway's limits; the timeouts are configurable so tests can shorten them. */
export function readAwsLocalConfig(env: Env): AwsLocalConfig {
  const dynamoDbEndpoint = stringSetting(env, 'DYNAMODB_ENDPOINT', '');
  return {
    host: stringSetting(env, 'HOST', '127.0.0.1'),
    port: integerSetting(env, 'PORT', 8080, 0, 65535),
    stage: stringSetting(env, 'STAGE', 'local'),
    tableName: stringSetting(env, 'CONNECTIONS_TABLE', 'chat-connections'),
    dynamoDbEndpoint: dynamoDbEndpoint === '' ? undefined : dynamoDbEndpoint,
    maxMessageBytes: integerSetting(env, 'MAX_MESSAGE_BYTES', 128 * 1024, 1),
    idleTimeoutMs: integerSetting(env, 'IDLE_TIMEOUT_MS', 10 * MINUTE, 1),
    maxConnectionAgeMs: integerSetting(env, 'MAX_CONNECTION_AGE_MS', 120 * MINUTE, 1),
    shutdownGraceMs: integerSetting(env, 'SHUTDOWN_GRACE_MS', 5000, 0),
    lambdaWorkers: integerSetting(env, 'LAMBDA_WORKERS', 2, 1, 64),
  };
}
