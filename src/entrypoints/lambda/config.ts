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
  fanoutFunctionName: 'FANOUT_FUNCTION_NAME',
  fanoutThreshold: 'FANOUT_THRESHOLD',
  fanoutSegments: 'FANOUT_SEGMENTS',
  fanoutRoomPartSize: 'FANOUT_ROOM_PART_SIZE',
  fanoutMarginMs: 'FANOUT_MARGIN_MS',
  lambdaEndpoint: 'LAMBDA_ENDPOINT',
} as const;

/** How large audiences are handed to the fan-out function; absent where no such function is named. */
export interface FanoutConfig {
  readonly functionName: string;
  /** Audiences of more connections than this are handed off; smaller ones are delivered by the handler. */
  readonly threshold: number;
  /** Parallel Scan segments (fan-out invocations) the global audience is cut into. */
  readonly segments: number;
  /** Members of a room per fan-out invocation. */
  readonly roomPartSize: number;
  /** Time left under which a fan-out invocation hands the rest of its part on. */
  readonly marginMs: number;
  /** Override of the Lambda endpoint (the local emulator); the SDK default otherwise. */
  readonly lambdaEndpoint: string | undefined;
}

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
  readonly fanout: FanoutConfig | undefined;
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
    fanout: readFanoutConfig(env),
    observability: readObservabilitySettings(env),
  };
}

/**
 * Defaults for a 512 MB function (about 450 signed posts a second): 1,000 recipients take the
 * handler a couple of seconds, far inside API Gateway's 29 s; 32 segments put 100,000
 * connections at about 3,100 per invocation, seven seconds of posting each.
 */
function readFanoutConfig(env: Env): FanoutConfig | undefined {
  const functionName = optional(env, LAMBDA_ENV.fanoutFunctionName);
  if (functionName === undefined) return undefined;
  return {
    functionName,
    threshold: integerSetting(env, LAMBDA_ENV.fanoutThreshold, 1000, 0, 1_000_000),
    segments: integerSetting(env, LAMBDA_ENV.fanoutSegments, 32, 1, 10_000),
    roomPartSize: integerSetting(env, LAMBDA_ENV.fanoutRoomPartSize, 2000, 1, 1_000_000),
    marginMs: integerSetting(env, LAMBDA_ENV.fanoutMarginMs, 10_000, 0, 900_000),
    lambdaEndpoint: optional(env, LAMBDA_ENV.lambdaEndpoint),
  };
}
