import { afterAll, beforeAll } from 'vitest';
import { startChatCluster } from '../support/chatCluster.js';
import { type SentinelSet, startSentinelSet } from '../support/redisTopologies.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import type { RuntimeShape } from './RuntimeShape.js';

let set: SentinelSet;
let masterUrl: string;
beforeAll(async () => {
  set = await startSentinelSet();
  masterUrl = await set.masterUrl();
});
afterAll(async () => {
  await set?.stop();
});

/** Two nodes that know only the sentinels (no REDIS_URL) and find the master through them. */
const sentinelShape: RuntimeShape = {
  name: 'cluster of 2 nodes on a Redis Sentinel set',
  start: (env = {}) => startChatCluster(masterUrl, { nodes: 2, env: { REDIS_URL: '', ...set.env, ...env } }),
};

chatEndToEndSuite(sentinelShape);
