import 'reflect-metadata';
import { describeError, log } from '../log.js';
import { exitOnSignals, urlHost } from '../process.js';
import { type ClusterNode, startClusterNode } from './clusterNode.js';
import { readServerConfig } from './config.js';
import { type ClusterLinks, connectCluster } from './connectCluster.js';
import { buildServerContainer, SERVER_TOKENS } from './container.js';

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
  process.stdout.write(`chat server listening on ws://${urlHost(config.host)}:${address.port}\n`);

  exitOnSignals(async () => {
    await server.close(config.shutdownGraceMs);
    await node?.leave();
  }, config.shutdownGraceMs);
}

main().catch((error: unknown) => {
  log('error', 'startup.failed', describeError(error));
  process.exit(1);
});
