import { type Env, integerSetting, stringSetting } from '../env.js';

/** A setting the handlers cannot run without. */
export class MissingSettingError extends Error {
  readonly code = 'MISSING_SETTING';

  constructor(name: string) {
    super(`${name} must be set`);
  }
}

/** Everything the Lambda handlers read from their environment. Region: the standard AWS variables. */
export interface LambdaConfig {
  readonly tableName: string;
  /** Override of the DynamoDB endpoint (local stores); the SDK default otherwise. */
  readonly dynamoDbEndpoint: string | undefined;
  /** Override of the Management API endpoint (custom domains, the local emulator). */
  readonly managementEndpoint: string | undefined;
  readonly maxConcurrentDeliveries: number;
  readonly pageSize: number;
  readonly ttlSeconds: number;
}

const optional = (env: Env, name: string): string | undefined => {
  const value = stringSetting(env, name, '');
  return value === '' ? undefined : value;
};

export function readLambdaConfig(env: Env): LambdaConfig {
  const tableName = optional(env, 'CONNECTIONS_TABLE');
  if (tableName === undefined) throw new MissingSettingError('CONNECTIONS_TABLE');
  return {
    tableName,
    dynamoDbEndpoint: optional(env, 'DYNAMODB_ENDPOINT'),
    managementEndpoint: optional(env, 'APIGW_MANAGEMENT_ENDPOINT'),
    maxConcurrentDeliveries: integerSetting(env, 'BROADCAST_CONCURRENCY', 64, 1, 10_000),
    pageSize: integerSetting(env, 'CONNECTIONS_PAGE_SIZE', 100, 1, 10_000),
    ttlSeconds: integerSetting(env, 'CONNECTION_TTL_SECONDS', 2 * 60 * 60, 1),
  };
}
