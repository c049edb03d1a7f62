import { type ChatSettings, readChatSettings } from '../chatSettings.js';
import { type Env, integerSetting, stringSetting } from '../env.js';
import { type ObservabilitySettings, readObservabilitySettings } from './observability.js';

/** A setting the handlers cannot run without. */
export class MissingSettingError extends Error {
  readonly code = 'MISSING_SETTING';

  constructor(name: string) {
    super(`${name} must be set`);
  }
}

/** The environment variables the handlers read: the CDK stack and the emulator set these names. */
export const LAMBDA_ENV = {
  tableName: 'CONNECTIONS_TABLE',
  roomsTableName: 'ROOMS_TABLE',
  dynamoDbEndpoint: 'DYNAMODB_ENDPOINT',
  managementEndpoint: 'APIGW_MANAGEMENT_ENDPOINT',
  maxConcurrentDeliveries: 'BROADCAST_CONCURRENCY',
  pageSize: 'CONNECTIONS_PAGE_SIZE',
  ttlSeconds: 'CONNECTION_TTL_SECONDS',
} as const;

/** Everything the Lambda handlers read from their environment. Region: the standard AWS variables. */
export interface LambdaConfig {
  readonly tableName: string;
  /** Room memberships, messages and their counters. */
  readonly roomsTableName: string;
  /** Override of the DynamoDB endpoint (local stores); the SDK default otherwise. */
  readonly dynamoDbEndpoint: string | undefined;
  /** Override of the Management API endpoint (custom domains, the local emulator). */
  readonly managementEndpoint: string | undefined;
  readonly maxConcurrentDeliveries: number;
  readonly pageSize: number;
  readonly ttlSeconds: number;
  readonly chat: ChatSettings;
  readonly observability: ObservabilitySettings;
}

const optional = (env: Env, name: string): string | undefined => {
  const value = stringSetting(env, name, '');
  return value === '' ? undefined : value;
};

export function readLambdaConfig(env: Env): LambdaConfig {
  const required = (name: string): string => {
    const value = optional(env, name);
    if (value === undefined) throw new MissingSettingError(name);
    return value;
  };
  return {
    tableName: required(LAMBDA_ENV.tableName),
    roomsTableName: required(LAMBDA_ENV.roomsTableName),
    dynamoDbEndpoint: optional(env, LAMBDA_ENV.dynamoDbEndpoint),
    managementEndpoint: optional(env, LAMBDA_ENV.managementEndpoint),
    maxConcurrentDeliveries: integerSetting(env, LAMBDA_ENV.maxConcurrentDeliveries, 64, 1, 10_000),
    pageSize: integerSetting(env, LAMBDA_ENV.pageSize, 100, 1, 10_000),
    ttlSeconds: integerSetting(env, LAMBDA_ENV.ttlSeconds, 2 * 60 * 60, 1),
    chat: readChatSettings(env),
    observability: readObservabilitySettings(env),
  };
}
