import { existsSync } from 'node:fs';
import { ensureChatTables } from '../../adapters/dynamodb/index.js';
import { identitySourceOf, needsAuthorizer, readAuthSettings } from '../authSettings.js';
import { readCommandLine } from '../commandLine.js';
import { LAMBDA_ENV } from '../lambda/config.js';
import { ROUTE_HANDLERS } from '../lambda/routes.js';
import { describeError, log, readLogLevel, setLogLevel } from '../log.js';
import { exitOnSignals, urlHost } from '../process.js';
import { loadWebPage, type WebPage } from '../webPage.js';
import { type AwsLocalConfig, readAwsLocalConfig } from './config.js';
import type { LocalWebSocketEvent } from './events.js';
import { LambdaWorkerPool } from './LambdaWorkerPool.js';
import { LocalLambdaApi } from './LocalLambdaApi.js';
import { LocalWebSocketApi } from './LocalWebSocketApi.js';
import { LOCAL_CREDENTIALS, localDynamoDbClient, startDynalite } from './localDynamo.js';
import { AUTHORIZER, accessKeyOf, connectionsGrants, FANOUT, startLocalFunctions } from './localFunctions.js';

/** The fan-out function's default name. */
const FANOUT_FUNCTION = 'chat-fanout';

/** The environment Lambda would give the handlers, pointed at the local services. */
function handlerEnvironment(config: AwsLocalConfig, dynamoDbEndpoint: string, port: number): void {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  process.env[LAMBDA_ENV.tableName] = config.tableName;
  process.env[LAMBDA_ENV.roomsTableName] = config.roomsTableName;
  process.env[LAMBDA_ENV.dynamoDbEndpoint] = dynamoDbEndpoint;
  process.env[LAMBDA_ENV.managementEndpoint] = `http://${host}:${port}/${config.stage}`;
  // The fan-out function runs here too, invoked through the Lambda API this emulator answers.
  process.env[LAMBDA_ENV.fanoutFunctionName] ??= FANOUT_FUNCTION;
  process.env[LAMBDA_ENV.lambdaEndpoint] = `http://${host}:${port}`;
  process.env.AWS_REGION ||= 'local';
  process.env.AWS_ACCESS_KEY_ID ||= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ||= LOCAL_CREDENTIALS.secretAccessKey;
  // As Lambda sets it: the handlers' logs tell a cold start from a warm one by it.
  process.env.AWS_LAMBDA_INITIALIZATION_TYPE ||= 'on-demand';
  // One EMF line per invocation is for CloudWatch; locally it is opt-in (=false), keeping stdout quiet.
  process.env.POWERTOOLS_METRICS_DISABLED ||= 'true';
}

/** The page built beside this bundle (dist/web), connecting to the stage; none when run from source. */
async function loadPage(socketPath: string): Promise<WebPage | undefined> {
  const dir = new URL('./web/', import.meta.url);
  return existsSync(new URL('index.html', dir)) ? loadWebPage(dir, socketPath) : undefined;
}

/** `npm run start:aws-local`: the Lambda handlers behind a local API Gateway WebSocket API. */
const USAGE = `Usage: node dist/aws-local.js [--help | --version]

The chat's Lambda handlers behind a local API Gateway WebSocket API, on an embedded
DynamoDB-compatible store (or the one at DYNAMODB_ENDPOINT). Settings come from the environment:
HOST, PORT, LOG_LEVEL (debug, info, warn or error), AUTH_MODE and the others the README lists.
`;

async function main(): Promise<void> {
  const command = readCommandLine(process.argv.slice(2), USAGE);
  if (!command.run) {
    process.stdout.write(command.print);
    return;
  }
  setLogLevel(readLogLevel(process.env));
  const config = readAwsLocalConfig(process.env);
  const store = config.dynamoDbEndpoint === undefined ? await startDynalite() : undefined;
  const dynamoDbEndpoint = config.dynamoDbEndpoint ?? (store?.endpoint as string);
  const admin = localDynamoDbClient(dynamoDbEndpoint);
  await ensureChatTables(admin, { connections: config.tableName, rooms: config.roomsTableName });
  admin.destroy();

  const auth = readAuthSettings(process.env);
  const page = await loadPage(`/${config.stage}`);
  const lambda = new LocalLambdaApi((error, functionName) =>
    log('error', 'invocation.failed', { functionName, ...describeError(error) }),
  );
  const api = new LocalWebSocketApi({
    ...config,
    onError: (error, routeKey) => log('error', 'integration.failed', { routeKey, ...describeError(error) }),
    onRequest: (request, response) => lambda.respond(request, response) || page?.respond(request, response) === true,
  });
  const { port } = await api.listen();
  handlerEnvironment(config, dynamoDbEndpoint, port);
  // The bundles in dist/lambda, as the stack deploys them: one function per route key, and the
  // `$connect` authorizer when the access settings call for one.
  const functions = startLocalFunctions({
    handlers: { ...ROUTE_HANDLERS, ...(needsAuthorizer(auth) ? { [AUTHORIZER]: 'authorize' as const } : {}) },
    bundleOf: (name) => new URL(`./lambda/${name}/index.mjs`, import.meta.url).href,
    workerUrl: new URL('./aws-local-worker.js', import.meta.url),
    maxEnvironments: config.lambdaWorkers,
  });
  // One environment per function starts warming now, without holding up the start (a dozen bundle
  // loads take seconds on a busy machine): a first message then rarely pays a cold start. A bundle
  // that cannot load is logged here, and fails its invocations.
  for (const pool of functions.pools) {
    pool
      .warm()
      .catch((error: unknown) =>
        log('error', 'function.init.failed', { name: pool.functionName, ...describeError(error) }),
      );
  }
  const fanoutFunction = process.env[LAMBDA_ENV.fanoutFunctionName];
  const fanoutPool = fanoutFunction
    ? new LambdaWorkerPool(new URL('./aws-local-worker.js', import.meta.url), {
        functionName: fanoutFunction,
        routes: { [FANOUT]: new URL('./lambda/fanout/index.mjs', import.meta.url).href },
        memoryMb: 512,
        timeoutSeconds: 60,
        maxEnvironments: config.lambdaWorkers,
        env: { AWS_ACCESS_KEY_ID: accessKeyOf(FANOUT) },
      })
    : undefined;
  if (fanoutFunction && fanoutPool) {
    lambda.register(fanoutFunction, (payload) => fanoutPool.invoke(FANOUT, payload as LocalWebSocketEvent));
  }
  api.setGrants(connectionsGrants([...functions.accessKeys.keys(), ...(fanoutPool ? [FANOUT] : [])]));
  api.setRoutes(
    functions.routes,
    functions.authorizer === undefined
      ? undefined
      : { handler: functions.authorizer, identitySource: identitySourceOf(auth.mode) },
  );
  const base = `${urlHost(config.host)}:${port}/${config.stage}`;
  process.stdout.write(`aws-local listening on ws://${base} (management API http://${base}/@connections)\n`);
  log('info', 'server.listening', { url: `ws://${base}`, managementApi: `http://${base}/@connections` });

  exitOnSignals(async () => {
    await api.close(config.shutdownGraceMs);
    await Promise.all([...functions.pools, ...(fanoutPool ? [fanoutPool] : [])].map((pool) => pool.close()));
    await store?.close();
  }, config.shutdownGraceMs);
}

main().catch((error: unknown) => {
  log('error', 'startup.failed', describeError(error));
  process.exit(1);
});
