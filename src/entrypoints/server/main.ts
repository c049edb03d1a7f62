import 'reflect-metadata';
import { describeError, log } from '../log.js';
import { readServerConfig } from './config.js';
import { buildServerContainer, SERVER_TOKENS } from './container.js';

/** Standalone server: `node dist/server.js`. */
async function main(): Promise<void> {
  const config = readServerConfig(process.env);
  const container = buildServerContainer(config);
  const server = container.get(SERVER_TOKENS.WsChatServer);
  const address = await server.listen();
  process.stdout.write(`chat server listening on ws://${config.host}:${address.port}\n`);

  let stopping = false;
  const stop = async (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    log('info', 'shutdown', { signal });
    await server.close(config.shutdownGraceMs);
    process.exit(0);
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((error: unknown) => {
  log('error', 'startup.failed', describeError(error));
  process.exit(1);
});
