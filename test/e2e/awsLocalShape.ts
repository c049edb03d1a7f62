import { fileURLToPath } from 'node:url';
import { spawnChatProcess } from '../support/spawnChatProcess.js';
import type { RuntimeShape } from './RuntimeShape.js';

/** The built local API Gateway (`dist/aws-local.js`) running the bundled Lambda handlers on dynalite. */
export const awsLocalShape: RuntimeShape = {
  name: 'aws-local',
  ordersPerSender: false,
  async start(env = {}) {
    const emulator = await spawnChatProcess([fileURLToPath(new URL('../../dist/aws-local.js', import.meta.url))], env);
    return { urls: [emulator.url], output: emulator.output, stop: async (signal) => [await emulator.stop(signal)] };
  },
};
