import { fileURLToPath } from 'node:url';
import type { Duration } from 'aws-cdk-lib';
import { RemovalPolicy } from 'aws-cdk-lib';
import { PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Architecture, Runtime } from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, type RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';

/** The repository root: the lockfile, tsconfig.json and src/ live there. */
const projectRoot = fileURLToPath(new URL('..', import.meta.url));

/** One Lambda handler of `src/entrypoints/lambda` and what it needs to run. */
export interface ChatFunctionProps {
  /** File name, without extension, under `src/entrypoints/lambda`; it exports `handler`. */
  readonly handlerFile: string;
  readonly description: string;
  readonly memorySize: number;
  readonly timeout: Duration;
  readonly environment: Readonly<Record<string, string>>;
  readonly logRetention: RetentionDays;
  /** Concurrent executions set aside for (and the most allowed to) this function; unset: none. */
  readonly reservedConcurrency?: number;
  /** A fixed name, for a function others invoke by name; unset: CloudFormation names it. */
  readonly functionName?: string;
}

/**
 * A handler bundled by esbuild, with its own log group (so it has a retention and is removed with
 * the stack) and its own role that may write to that log group and nothing else until the stack
 * grants more. No AWS managed policy: AWSLambdaBasicExecutionRole would allow every log group.
 */
export class ChatFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ChatFunctionProps) {
    super(scope, id);
    this.logGroup = new LogGroup(this, 'LogGroup', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `Runs the ${props.handlerFile} chat handler`,
    });
    // The log group's Arn attribute already ends in `:*`, the streams of this one group.
    this.role.addToPolicy(
      new PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );
    this.function = new NodejsFunction(this, 'Function', {
      entry: `${projectRoot}src/entrypoints/lambda/${props.handlerFile}.ts`,
      handler: 'handler',
      projectRoot,
      depsLockFilePath: `${projectRoot}package-lock.json`,
      description: props.description,
      functionName: props.functionName,
      // Node.js 24: the newest Lambda runtime; 20 is deprecated. Graviton (arm64) costs about 20%
      // less per GB-second than x86 for the same work, and the bundle is plain JavaScript.
      runtime: Runtime.NODEJS_24_X,
      architecture: Architecture.ARM_64,
      memorySize: props.memorySize,
      timeout: props.timeout,
      reservedConcurrentExecutions: props.reservedConcurrency,
      environment: { ...props.environment },
      role: this.role,
      logGroup: this.logGroup,
      bundling: {
        format: OutputFormat.CJS,
        target: 'node24',
        // The runtime ships SDK v3; bundling it would add megabytes to every cold start.
        externalModules: ['@aws-sdk/*'],
        minify: true,
        // Logs name error classes (see describeError): keep them readable after minification.
        keepNames: true,
        sourceMap: false,
      },
    });
  }
}
