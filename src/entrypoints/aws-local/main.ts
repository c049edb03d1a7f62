import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import dynalite from 'dynalite';
import { describeError, log } from '../log.js';
import { exitOnSignals, urlHost } from '../process.js';
import { type AwsLocalConfig, readAwsLocalConfig } from './config.js';
import { ensureConnectionsTable, LOCAL_CREDENTIALS, localDynamoDbClient } from './connectionsTable.js';
import { LambdaWorkerPool } from './LambdaWorkerPool.js';
import { LocalWebSocketApi } from './LocalWebSocketApi.js';

/** Route keys and the bundled handler serving each (`dist/lambda/<name>/index.mjs`), as the stack wires them. */
const ROUTES: Readonly<Record<string, string>> = {
  $connect: 'connect',
  $disconnect: 'disconnect',
  $default: 'default',
  sendMessage: 'sendMessage',
};

/** The in-memory dynalite, on loopback. */
async function startDynalite(): Promise<{ endpoint: string; server: Server }> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { endpoint: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

/** The environment Lambda would give the handlers, pointed at the local services. */
function handlerEnvironment(config: AwsLocalConfig, dynamoDbEndpoint: string, port: number): void {
  const host = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  process.env.CONNECTIONS_TABLE = config.tableName;
  process.env.DYNAMODB_ENDPOINT = dynamoDbEndpoint;
  process.env.APIGW_MANAGEMENT_ENDPOINT = `http://${host}:${port}/${config.stage}`;
  process.env.AWS_REGION ||= 'local';
  process.env.AWS_ACCESS_KEY_ID ||= LOCAL_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY ||= LOCAL_CREDENTIALS.secretAccessKey;
}

/** `npm run start:aws-local`: the Lambda handlers behind a local API Gateway WebSocket API. */
async function main(): Promise<void> {
  const config = readAwsLocalConfig(process.env);
  const store = config.dynamoDbEndpoint === undefined ? await startDynalite() : undefined;
  const dynamoDbEndpoint = config.dynamoDbEndpoint ?? (store?.endpoint as string);
  const admin = localDynamoDbClient(dynamoDbEndpoint);
  await ensureConnectionsTable(admin, config.tableName);
  admin.destroy();

  const api = new LocalWebSocketApi({
    ...config,
    onError: (error, routeKey) => log('error', 'integration.failed', { routeKey, ...describeError(error) }),
  });
  const { port } = await api.listen();
  handlerEnvironment(config, dynamoDbEndpoint, port);
  const bundles = Object.fromEntries(
    Object.entries(ROUTES).map(([routeKey, name]) => [
      routeKey,
      new URL(`./lambda/${name}/index.mjs`, import.meta.url).href,
    ]),
  );
  const pool = new LambdaWorkerPool(new URL('./aws-local-worker.js', import.meta.url), config.lambdaWorkers, bundles);
  await pool.ready;
  api.setRoutes(pool.routeTable(Object.keys(ROUTES)));
  const base = `${urlHost(config.host)}:${port}/${config.stage}`;
  process.stdout.write(`aws-local listening on ws://${base} (management API http://${base}/@connections)\n`);

  exitOnSignals(async () => {
    await api.close(config.shutdownGraceMs);
    await pool.close();
    await new Promise<void>((resolve) => (store === undefined ? resolve() : store.server.close(() => resolve())));
  }, config.shutdownGraceMs);
}

main().catch((error: unknown) => {
  log('error', 'startup.failed', describeError(error));
  process.exit(1);
});
