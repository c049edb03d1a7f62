import { fileURLToPath } from 'node:url';
import { spawnChatProcess } from '../support/spawnChatProcess.js';
import type { RuntimeShape } from './RuntimeShape.js';

/**
 * The stage throttled at the account's quota (10,000 a second, 5,000 at once), the most a stage may
 * be deployed with (`throttleRateLimit`, `throttleBurstLimit`): the shared suites flood and connect
 * hundreds of clients on purpose to test the chat, not the stage's throttle. The stack's default
 * (100 and 200), which is the emulator's default, has tests of its own.
 */
export const STAGE_AT_ACCOUNT_QUOTA = { THROTTLE_RATE_LIMIT: '10000', THROTTLE_BURST_LIMIT: '5000' } as const;

/** The built local API Gateway (`dist/aws-local.js`) running the bundled Lambda handlers on dynalite. */
export const awsLocalShape: RuntimeShape = {
  name: 'aws-local',
  ordersPerSender: false,
  async start(env = {}) {
    const emulator = await spawnChatProcess([fileURLToPath(new URL('../../dist/aws-local.js', import.meta.url))], {
      ...STAGE_AT_ACCOUNT_QUOTA,
      ...env,
    });
    return { urls: [emulator.url], output: emulator.output, stop: async (signal) => [await emulator.stop(signal)] };
  },
};
