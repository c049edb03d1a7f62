import { RemovalPolicy } from 'aws-cdk-lib';
import { RetentionDays } from 'aws-cdk-lib/aws-logs';
import type { Node } from 'constructs';
import { AUTH_MODES, type AuthMode } from '../src/application/index.js';
import { CHAT_ENV, readChatSettings } from '../src/entrypoints/chatSettings.js';
import { InvalidSettingError } from '../src/entrypoints/env.js';
import { STAGE_THROTTLE_DEFAULTS } from '../src/entrypoints/lambda/deployedLimits.js';

/** Context keys of the chat settings: the keys of `CHAT_ENV`, each setting the variable it names. */
export type ChatContextKey = keyof typeof CHAT_ENV;

/** The chat settings an operator set; a key left out keeps the handler default. */
export type ChatContextSettings = Readonly<Partial<Record<ChatContextKey, number>>>;

/**
 * What an operator may set without editing code, as CDK context values
 * (`cdk.json` "context", or `npx cdk deploy -c key=value`). Every key is optional.
 */
export interface ChatStackSettings {
  /**
   * `stage`: names this deployment, so that several (dev, prod, a branch) live side by side in one
   * account and region: the stack is `WebSocketChat-<stage>` and the WebSocket stage defaults to
   * it. Unset: the stack is `WebSocketChat`, the one stack this app always deployed.
   */
  readonly stage?: string;
  /** The CloudFormation stack name, from `stage` (see `stackNameOf`). */
  readonly stackName: string;
  /**
   * `stageName`: the WebSocket stage, the last path segment of the URL. Default: `stage` when set,
   * otherwise `production`.
   */
  readonly stageName: string;
  /**
   * `tableRemovalPolicy`: `destroy` (default) or `retain`; both tables. There is no `snapshot`:
   * CloudFormation has no snapshot deletion policy for DynamoDB tables (synth would fail); keep the
   * tables with `retain`, and their history with `pointInTimeRecovery`.
   */
  readonly tableRemovalPolicy: RemovalPolicy;
  /** `logRetentionDays`: retention of every log group, a CloudWatch Logs value. Default 30. */
  readonly logRetention: RetentionDays;
  /** `pointInTimeRecovery`: continuous backups of both tables. Default false. */
  readonly pointInTimeRecovery: boolean;
  /**
   * `throttleRateLimit`: steady-state requests per second of the stage's default route settings,
   * which API Gateway applies to each route (`$connect` included). Default 100; at most the
   * account's quota (10,000 by default).
   */
  readonly throttleRateLimit: number;
  /** `throttleBurstLimit`: requests each route accepts in a burst. Default 200. */
  readonly throttleBurstLimit: number;
  /**
   * `apiGatewayCloudWatchRole`: create a logging role and make it the API Gateway account setting
   * of the region. Default false: that setting is one per account and region, so creating it
   * replaces whatever role other APIs log through, and the role is retained on destroy. Turn it on
   * only in an account whose setting is empty (access logs cannot be delivered without one).
   */
  readonly apiGatewayCloudWatchRole: boolean;
  /**
   * `tableEncryption`: the key both tables are encrypted at rest with. `aws-owned` (default:
   * DynamoDB's own key, no KMS charge and no key policy to manage), `aws-managed` (the account's
   * `aws/dynamodb` KMS key: key use visible in CloudTrail, KMS request charges) or
   * `customer-managed` (a KMS key of this stack, with rotation: its own monthly and request charges,
   * a key policy the operator controls, and KMS grants for every function that reads or writes).
   */
  readonly tableEncryption: TableEncryptionSetting;
  /**
   * `broadcastReservedConcurrency`: reserved concurrency of the functions that deliver a message to
   * its audience. Unset by default (see `ChatStack`): the stage's throttle already bounds how many
   * run, and a reservation is taken from the account's pool even when idle.
   */
  readonly broadcastReservedConcurrency?: number;
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
  /**
   * `authMode`: AUTH_MODE of the `$connect` authorizer. `none` (default: anyone holding the URL
   * may connect, as in the original chat), `optional` (a valid token names its bearer, no token
   * is anonymous) or `required`.
   */
  readonly authMode: AuthMode;
  /**
   * `authJwksUrl`: the https:// key set tokens are checked against (a Cognito user pool's
   * `.well-known/jwks.json`); needed unless authMode is `none`. There is no HS256 secret on AWS:
   * as a context value it would sit in the template, and so in CloudFormation, in clear.
   */
  readonly authJwksUrl?: string;
  /** `authIssuer`: the `iss` a token must carry (a Cognito user pool's URL). */
  readonly authIssuer?: string;
  /** `authAudience`: the `aud` a token must carry (a Cognito app client id: ID tokens carry it). */
  readonly authAudience?: string;
  /**
   * `allowedOrigins`: comma-separated origins browsers may connect from (`https://chat.example`);
   * unset: any. A client that sends no Origin is not a browser and is not refused for it.
   */
  readonly allowedOrigins?: readonly string[];
  /**
   * `rateLimitPerSecond`, `rateLimitBurst`, `rateLimitCutAfterMs`, `historyMaxMessages`,
   * `historyMaxAgeMs`, `maxRoomsPerConnection`, `memberListCap`: the `CHAT_ENV` variable of the
   * same key in every route's function; unset keeps the handler default.
   */
  readonly chat: ChatContextSettings;
  /** `alarmTopicArn`: an SNS topic the alarms notify; unset, they show on the dashboard only. */
  readonly alarmTopicArn?: string;
  /** `publishPage`: publish the chat page built in dist/web (S3 + CloudFront). Default false. */
  readonly publishPage: boolean;
}

/** A context value that is present but unusable: synth stops and names it. */
export class InvalidContextError extends Error {
  readonly code = 'INVALID_CONTEXT';

  constructor(key: string, value: unknown, expected: string) {
    super(`context ${key}=${JSON.stringify(value)} is not valid: expected ${expected}`);
  }
}

/** Values of `tableEncryption`. */
export const TABLE_ENCRYPTIONS = ['aws-owned', 'aws-managed', 'customer-managed'] as const;
export type TableEncryptionSetting = (typeof TABLE_ENCRYPTIONS)[number];

/** The stack name a deployment with this `stage` (or none) gets. */
export function stackNameOf(stage: string | undefined): string {
  return stage === undefined ? 'WebSocketChat' : `WebSocketChat-${stage}`;
}

const removalPolicies: Readonly<Record<string, RemovalPolicy>> = {
  destroy: RemovalPolicy.DESTROY,
  retain: RemovalPolicy.RETAIN,
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
  const stage = stringContext(context, 'stage');
  // A stack name allows letters, digits and hyphens; a stage that fits one fits everything it names.
  // At most 43 characters: the longest name it makes, `WebSocketChat-<stage>-fanout`, the fan-out
  // function's, then fits Lambda's 64.
  if (stage !== undefined && !/^[A-Za-z0-9](?:[A-Za-z0-9-]{0,41}[A-Za-z0-9])?$/.test(stage)) {
    throw new InvalidContextError('stage', stage, 'letters, digits and inner hyphens (at most 43)');
  }
  const stageName = context('stageName') ?? stage ?? 'production';
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
  const tableEncryption = String(context('tableEncryption') ?? 'aws-owned');
  if (!(TABLE_ENCRYPTIONS as readonly string[]).includes(tableEncryption)) {
    throw new InvalidContextError('tableEncryption', tableEncryption, TABLE_ENCRYPTIONS.join(', '));
  }
  return {
    stage,
    stackName: stackNameOf(stage),
    stageName,
    tableRemovalPolicy,
    logRetention: retention,
    pointInTimeRecovery: booleanContext(context, 'pointInTimeRecovery') ?? false,
    throttleRateLimit: integerContext(context, 'throttleRateLimit', 1) ?? STAGE_THROTTLE_DEFAULTS.rateLimit,
    throttleBurstLimit: integerContext(context, 'throttleBurstLimit', 1) ?? STAGE_THROTTLE_DEFAULTS.burstLimit,
    apiGatewayCloudWatchRole: booleanContext(context, 'apiGatewayCloudWatchRole') ?? false,
    tableEncryption: tableEncryption as TableEncryptionSetting,
    broadcastReservedConcurrency: integerContext(context, 'broadcastReservedConcurrency', 1),
    broadcastConcurrency: integerContext(context, 'broadcastConcurrency', 1),
    connectionsPageSize: integerContext(context, 'connectionsPageSize', 1),
    ...readAccess(context),
    chat: readChat(context),
    alarmTopicArn: stringContext(context, 'alarmTopicArn'),
    publishPage: booleanContext(context, 'publishPage') ?? false,
  };
}

type ContextReader = (key: string) => unknown;

type AccessSettings = Pick<
  ChatStackSettings,
  'authMode' | 'authJwksUrl' | 'authIssuer' | 'authAudience' | 'allowedOrigins'
>;

/**
 * Who may connect. Refused: a mode that checks tokens without a key set to check them with, and a
 * key set, issuer or audience under `none`, where they would be ignored and the chat left open.
 */
function readAccess(context: ContextReader): AccessSettings {
  const raw = context('authMode') ?? 'none';
  const authMode = AUTH_MODES.find((mode) => mode === raw);
  if (authMode === undefined) throw new InvalidContextError('authMode', raw, AUTH_MODES.join(', '));
  const authJwksUrl = jwksUrlContext(context);
  const authIssuer = stringContext(context, 'authIssuer');
  const authAudience = stringContext(context, 'authAudience');
  if (authMode === 'none') {
    for (const [key, value] of Object.entries({ authJwksUrl, authIssuer, authAudience })) {
      if (value !== undefined) {
        throw new InvalidContextError(
          key,
          value,
          'nothing while authMode is none (tokens are checked under optional or required)',
        );
      }
    }
  } else if (authJwksUrl === undefined) {
    throw new InvalidContextError(
      'authJwksUrl',
      authJwksUrl,
      `an https:// JWKS URL with authMode=${authMode}; an HS256 secret is not offered on AWS, ` +
        'since it would sit in the template in clear',
    );
  }
  return { authMode, authJwksUrl, authIssuer, authAudience, allowedOrigins: originsContext(context) };
}

/** An https URL: over http, whoever sits on the path could hand the authorizer their own keys. */
function jwksUrlContext(context: ContextReader): string | undefined {
  const raw = stringContext(context, 'authJwksUrl');
  if (raw === undefined) return undefined;
  if (!URL.canParse(raw) || new URL(raw).protocol !== 'https:') {
    throw new InvalidContextError('authJwksUrl', raw, 'an https:// URL');
  }
  return raw;
}

/**
 * Comma-separated (`-c`) or a list (cdk.json). Each must be an origin as browsers send it, scheme,
 * host and port only, in lower case: `https://chat.example/` would never match and so shut every
 * browser out.
 */
function originsContext(context: ContextReader): readonly string[] | undefined {
  const raw = context('allowedOrigins');
  if (raw === undefined) return undefined;
  const list = typeof raw === 'string' ? raw.split(',') : raw;
  if (!Array.isArray(list) || !list.every((origin) => typeof origin === 'string')) {
    throw new InvalidContextError('allowedOrigins', raw, 'comma-separated origins');
  }
  const origins = list.map((origin: string) => origin.trim()).filter((origin) => origin !== '');
  for (const origin of origins) {
    if (!URL.canParse(origin) || new URL(origin).origin !== origin) {
      throw new InvalidContextError(
        'allowedOrigins',
        raw,
        `origins such as https://chat.example (scheme, lower-case host and port; no path): not ${origin}`,
      );
    }
  }
  return origins.length === 0 ? undefined : origins;
}

/**
 * Each chat setting as the handlers read it: the value they would refuse at start (and with it
 * every connection) is refused at synth, by the handlers' own reader rather than a copy of its
 * bounds.
 */
function readChat(context: ContextReader): ChatContextSettings {
  const settings: Partial<Record<ChatContextKey, number>> = {};
  for (const key of Object.keys(CHAT_ENV) as ChatContextKey[]) {
    const value = integerContext(context, key, 0);
    if (value === undefined) continue;
    try {
      readChatSettings({ [CHAT_ENV[key]]: String(value) });
    } catch (error) {
      if (!(error instanceof InvalidSettingError)) throw error;
      throw new InvalidContextError(key, context(key), `what the handlers accept (${error.message})`);
    }
    settings[key] = value;
  }
  return settings;
}

function stringContext(context: ContextReader, key: string): string | undefined {
  const raw = context(key);
  if (raw === undefined) return undefined;
  if (typeof raw !== 'string' || raw.trim() === '') throw new InvalidContextError(key, raw, 'a string');
  return raw.trim();
}

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
