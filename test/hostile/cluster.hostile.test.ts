import { afterAll, beforeAll, vi } from 'vitest';
import { type RedisFixture, startRedis } from '../support/redis.js';
import { hostileSuite } from './hostileSuite.js';
import { clusterNode } from './support/targets.js';

let redis: RedisFixture;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

// An unfixed server can take minutes to fail a scenario; the bounds inside fail it sooner.
vi.setConfig({ testTimeout: 90_000 });

hostileSuite(clusterNode(() => redis.url, { receivers: 200, floodFrames: 1500, connections: 200, crowd: 1000 }));
