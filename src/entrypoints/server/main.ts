import 'reflect-metadata';
import { describeError, log } from '../log.js';
import { type ClusterNode, startClusterNode } from './clusterNode.js';
import { readServerConfig } from './config.js';
import { type ClusterLinks, connectCluster } from './connectCluster.js';
import { buildServerContainer, SERVER_TOKENS } from './container.js';

/** Time for leaving the cluster after the clients' grace period, before the exit is forced. */
const SHUTDOWN_MARGIN_MS = 5000;

/** The server: `node dist/server.js`; standalone, or a cluster node when `REDIS_URL` is set. */
async function main(): Promise<void> {
  const config = readServerConfig(process.env);
  let links: ClusterLinks | undefined;
  if (config.redisUrl !== undefined) links = await connectCluster(config.redisUrl, config.cluster.keyPrefix);
  const container = buildServerContainer(config, links);
  let node: ClusterNode | undefined;
  if (links !== undefined) node = await startClusterNode(container, links);
  const server = container.get(SERVER_TOKENS.WsChatServer);
  const address = await server.listen();
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  process.stdout.write(`chat server listening on ws://${host}:${address.port}\n`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutdown', { signal });
    // Whatever hangs (a stalled Redis, a client that never closes), the process still exits.
    setTimeout(() => {
      log('warn', 'shutdown.forced', { afterMs: config.shutdownGraceMs + SHUTDOWN_MARGIN_MS });
      process.exit(0);
    }, config.shutdownGraceMs + SHUTDOWN_MARGIN_MS).unref();
    try {
      await server.close(config.shutdownGraceMs);
      await node?.leave();
    } catch (error) {
      log('error', 'shutdown.failed', describeError(error));
    }
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  log('error', 'startup.failed', describeError(error));
  process.exit(1);
});
