import { existsSync } from 'node:fs';
import { createServer } from 'node:http';
import type { Registry } from 'prom-client';
import { readCommandLine } from '../commandLine.js';
import { describeError, log, readLogLevel, setLogLevel } from '../log.js';
import { exitOnSignals, urlHost } from '../process.js';
import { TOKENS } from '../tokens.js';
import { loadWebPage, type WebPage } from '../webPage.js';
import { readServerConfig } from './config.js';
import { buildServerContainer } from './container.js';
import { serveMetrics } from './httpEndpoints.js';

/** The page built beside this bundle (dist/web); none when the server runs from source. */
async function loadPage(): Promise<WebPage | undefined> {
  const dir = new URL('./web/', import.meta.url);
  return existsSync(new URL('index.html', dir)) ? loadWebPage(dir, '/') : undefined;
}

/** `METRICS_PORT`: /metrics off the public port, for a scraper on a private network. */
async function listenForMetrics(registry: Registry, host: string, port: number) {
  const server = createServer((request, response) => {
    if ((request.url ?? '/').split('?')[0] === '/metrics') serveMetrics(registry, response);
    else response.writeHead(404).end();
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  return server;
}

const USAGE = `Usage: node dist/server.js [--help | --version]

A WebSocket chat server: standalone, or a node of a Redis cluster when REDIS_URL is set.
Settings come from the environment, among them:
  HOST, PORT           where to listen (0.0.0.0, 8080)
  REDIS_URL            join the cluster at this Redis
  LOG_LEVEL            debug, info, warn or error (info); JSON lines on stderr
  METRICS_PORT         serve /metrics on this port only
  AUTH_MODE            none, optional or required
The README's Configuration section lists them all.
`;

/** The server: `node dist/server.js`; standalone, or a cluster node when `REDIS_URL` is set. */
async function main(): Promise<void> {
  const command = readCommandLine(process.argv.slice(2), USAGE);
  if (!command.run) {
    process.stdout.write(command.print);
    return;
  }
  setLogLevel(readLogLevel(process.env));
  const config = readServerConfig(process.env);
  const { container, cluster, registry } = await buildServerContainer(config, await loadPage());
  await cluster?.start(container.get(TOKENS.Fanout));
  const server = container.get(TOKENS.WsChatServer);
  const address = await server.listen();
  const metrics =
    config.metricsPort === undefined
      ? undefined
      : await listenForMetrics(registry, config.metricsHost, config.metricsPort);
  const url = `ws://${urlHost(config.host)}:${address.port}`;
  process.stdout.write(`chat server listening on ${url}\n`);
  log('info', 'server.listening', { url, cluster: cluster !== undefined });

  exitOnSignals(async () => {
    await server.close(config.shutdownGraceMs);
    await cluster?.stop();
    metrics?.close();
  }, config.shutdownGraceMs);
}

main().catch((error: unknown) => {
  log('error', 'startup.failed', describeError(error));
  process.exit(1);
});
