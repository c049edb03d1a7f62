import { afterAll, beforeAll } from 'vitest';
import { startChatCluster } from '../support/chatCluster.js';
import { startTlsRedis, type TlsRedis } from '../support/redisTopologies.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import type { RuntimeShape } from './RuntimeShape.js';

let redis: TlsRedis;
beforeAll(async () => {
  redis = await startTlsRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Two nodes on the TLS port, trusting the test's own CA. */
const tlsShape: RuntimeShape = {
  name: 'cluster of 2 nodes on a TLS Redis',
  start: (env = {}) =>
    startChatCluster(redis.plainUrl, {
      nodes: 2,
      env: { REDIS_URL: redis.url, REDIS_TLS_CA_FILE: redis.files.ca, ...env },
    }),
};

chatEndToEndSuite(tlsShape);
