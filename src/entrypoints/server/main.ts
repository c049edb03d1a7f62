import { describeError, log } from '../log.js';
import { exitOnSignals, urlHost } from '../process.js';
import { TOKENS } from '../tokens.js';
import { readServerConfig } from './config.js';
import { buildServerContainer } from './container.js';

/** The server: `node dist/server.js`; standalone, or a cluster node when `REDIS_URL` is set. */
async function main(): Promise<void> {
  const config = readServerConfig(process.env);
  const { container, cluster } = await buildServerContainer(config);
  await cluster?.start(container.get(TOKENS.Fanout));
  const server = container.get(TOKENS.WsChatServer);
  const address = await server.listen();
  process.stdout.write(`chat server listening on ws://${urlHost(config.host)}:${address.port}\n`);

  exitOnSignals(async () => {
    await server.close(config.shutdownGraceMs);
    await cluster?.stop();
  }, config.shutdownGraceMs);
}

main().catch((error: unknown) => {
  log('error', 'startup.failed', describeError(error));
  process.exit(1);
});
