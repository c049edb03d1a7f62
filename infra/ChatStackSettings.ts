import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';

/**
 * What an operator may set without editing code, as CDK context values
 * (`cdk.json` "context", or `npx cdk deploy -c key=value`). Every key is optional.
 */
export interface ChatStackSettings {
  /** `stageName`: the WebSocket stage, the last path segment of the URL. Default `production`. */
  readonly stageName: string;
  /** `tableRemovalPolicy`: `destroy` (default), `retain` or `snapshot`; both tables. */
  readonly tableRemovalPolicy: RemovalPolicy;
  /** `logRetentionDays`: retention of every log group, a CloudWatch Logs value. Default 30. */
  readonly logRetention: RetentionDays;
  /** `pointInTimeRecovery`: continuous backups of both tables. Default false. */
  readonly pointInTimeRecovery: boolean;
  /** `throttleRateLimit`: steady-state messages per second for the whole stage. Default 100. */
  readonly throttleRateLimit: number;
  /** `throttleBurstLimit`: messages the stage accepts in a burst. Default 200. */
  readonly throttleBurstLimit: number;
  /** `apiGatewayCloudWatchRole`: set the regional API Gateway logging role. Default true. */
  readonly apiGatewayCloudWatchRole: boolean;
  /**
   * `broadcastConcurrency`: BROADCAST_CONCURRENCY of every function that fans out (messages and
   * presence); unset keeps the handler default.
   */
  readonly broadcastConcurrency?: number;
  /**
   * `connectionsPageSize`: CONNECTIONS_PAGE_SIZE (items per Scan or Query page of an audience) of
   * every function that fans out; unset keeps the handler default.
   */
  readonly connectionsPageSize?: number;
}

/** A context value that is present but unusable: synth stops and names it. */
export class InvalidContextError extends Error {
  readonly code = 'INVALID_CONTEXT';

  constructor(key: string, value: unknown, expected: string) {
    super(`context ${key}=${JSON.stringify(value)} is not valid: expected ${expected}`);
  }
}

const removalPolicies: Readonly<Record<string, RemovalPolicy>> = {
  destroy: RemovalPolicy.DESTROY,
  retain: RemovalPolicy.RETAIN,
  snapshot: RemovalPolicy.SNAPSHOT,
};

const finiteRetentions = Object.values(RetentionDays).filter(
  (days): days is RetentionDays => typeof days === 'number' && days !== RetentionDays.INFINITE,
);

/** Reads and validates the settings from the context of `node`, applying the defaults. */
export function readChatStackSettings(node: Node): ChatStackSettings {
  const context = (key: string): unknown => {
    const value: unknown = node.tryGetContext(key);
    return value === '' ? undefined : value;
  };
  const stageName = context('stageName') ?? 'production';
  if (typeof stageName !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(stageName)) {
    throw new InvalidContextError('stageName', stageName, 'letters, digits, - or _ (at most 128)');
  }
  const removal = String(context('tableRemovalPolicy') ?? 'destroy').toLowerCase();
  const tableRemovalPolicy = removalPolicies[removal];
  if (tableRemovalPolicy === undefined) {
    throw new InvalidContextError('tableRemovalPolicy', removal, Object.keys(removalPolicies).join(', '));
  }
  const retention = integerContext(context, 'logRetentionDays', 1) ?? 30;
  if (!finiteRetentions.includes(retention)) {
    throw new InvalidContextError('logRetentionDays', retention, `one of ${finiteRetentions.join(', ')}`);
  }
  return {
    stageName,
    tableRemovalPolicy,
    logRetention: retention,
    pointInTimeRecovery: booleanContext(context, 'pointInTimeRecovery') ?? false,
    throttleRateLimit: integerContext(context, 'throttleRateLimit', 1) ?? 100,
    throttleBurstLimit: integerContext(context, 'throttleBurstLimit', 1) ?? 200,
    apiGatewayCloudWatchRole: booleanContext(context, 'apiGatewayCloudWatchRole') ?? true,
    broadcastConcurrency: integerContext(context, 'broadcastConcurrency', 1),
    connectionsPageSize: integerContext(context, 'connectionsPageSize', 1),
  };
}

type ContextReader = (key: string) => unknown;

/** `-c key=value` gives strings and cdk.json gives JSON values: both spellings are accepted. */
function integerContext(context: ContextReader, key: string, min: number): number | undefined {
  const raw = context(key);
  if (raw === undefined) return undefined;
  const value = typeof raw === 'string' ? Number(raw.trim()) : raw;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    throw new InvalidContextError(key, raw, `an integer of at least ${min}`);
  }
  return value;
}

function booleanContext(context: ContextReader, key: string): boolean | undefined {
  const raw = context(key);
  if (raw === undefined || typeof raw === 'boolean') return raw;
  if (raw === 'true' || raw === 'false') return raw === 'true';
  throw new InvalidContextError(key, raw, 'true or false');
}
