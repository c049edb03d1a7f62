import { Duration } from 'aws-cdk-lib';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import type { RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { AUTH_ENV, identitySourceOf } from '../src/entrypoints/authSettings.js';
import { AUTHORIZER_SIZE } from '../src/entrypoints/lambda/deployedLimits.js';
import type { LambdaHandlerName } from '../src/entrypoints/lambda/routes.js';
import { ChatFunction } from './ChatFunction.js';
import type { ChatStackSettings } from './ChatStackSettings.js';

/** What decides who may connect: the access settings of the stack. */
export type ConnectAccess = Pick<
  ChatStackSettings,
  'authMode' | 'authJwksUrl' | 'authIssuer' | 'authAudience' | 'allowedOrigins'
>;

export interface ConnectAuthorizerProps {
  readonly access: ConnectAccess;
  readonly logRetention: RetentionDays;
}

const handlerFile: LambdaHandlerName = 'authorize';

/** The authorizer's environment, by the names `readAuthSettings` reads; only what is set. */
export function authorizerEnvironment(access: ConnectAccess): Record<string, string> {
  const values: Record<string, string | undefined> = {
    [AUTH_ENV.mode]: access.authMode,
    [AUTH_ENV.jwksUrl]: access.authJwksUrl,
    [AUTH_ENV.issuer]: access.authIssuer,
    [AUTH_ENV.audience]: access.authAudience,
    [AUTH_ENV.allowedOrigins]: access.allowedOrigins?.join(','),
  };
  return Object.fromEntries(
    Object.entries(values).filter((entry): entry is [string, string] => entry[1] !== undefined),
  );
}

/**
 * The Lambda REQUEST authorizer of `$connect`: the `authorize` bundle, with its own log group and
 * a role that may write to that group and do nothing else (no table, no ManageConnections: it
 * decides from the request alone). The auth settings reach this function only.
 */
export class ConnectAuthorizer extends Construct {
  readonly function: ChatFunction;
  /** Attach to `$connect`; binding it creates the authorizer and its invoke permission. */
  readonly authorizer: WebSocketLambdaAuthorizer;
  readonly identitySource: string;

  constructor(scope: Construct, id: string, props: ConnectAuthorizerProps) {
    super(scope, id);
    this.function = new ChatFunction(this, 'Function', {
      handlerFile,
      description: `Chat $connect authorizer (${handlerFile} handler, AUTH_MODE=${props.access.authMode})`,
      // Verifying a token is CPU work on a small input: the size the local API Gateway enforces too.
      memorySize: AUTHORIZER_SIZE.memoryMb,
      timeout: Duration.seconds(AUTHORIZER_SIZE.timeoutSeconds),
      environment: authorizerEnvironment(props.access),
      logRetention: props.logRetention,
    });
    this.identitySource = identitySourceOf(props.access.authMode);
    this.authorizer = new WebSocketLambdaAuthorizer('ConnectAuthorizer', this.function.function, {
      identitySource: [this.identitySource],
    });
  }
}
