import { fileURLToPath } from 'node:url';
import { spawnChatProcess } from '../support/spawnChatProcess.js';
import type { RuntimeShape } from './RuntimeShape.js';

const dist = (file: string) => fileURLToPath(new URL(`../../dist/${file}`, import.meta.url));

/** `node dist/server.js` with the in-memory default. */
export const standaloneShape: RuntimeShape = {
  name: 'standalone',
  ordersPerSender: true,
  async start(env = {}) {
    const server = await spawnChatProcess([dist('server.js')], env);
    return { urls: [server.url], output: server.output, stop: async (signal) => [await server.stop(signal)] };
  },
};
