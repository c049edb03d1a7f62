import { afterAll, beforeAll } from 'vitest';
import { type RedisClusterFixture, startRedisCluster } from '../support/redisCluster.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import { protocolV2Suite } from './protocolV2Suite.js';
import { redisClusterShape } from './redisClusterShape.js';

// Three masters, no replicas: what the suites check is the chat, the failover has its own test.
let fixture: RedisClusterFixture;
beforeAll(async () => {
  fixture = await startRedisCluster({ masters: 3 });
});
afterAll(async () => {
  await fixture?.stop();
});

chatEndToEndSuite(redisClusterShape(() => fixture));
protocolV2Suite(redisClusterShape(() => fixture));
