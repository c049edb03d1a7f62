import { afterAll, beforeAll } from 'vitest';
import { type RedisFixture, startRedis } from '../support/redis.js';
import { accessSuite } from './accessSuite.js';
import { chatEndToEndSuite } from './chatEndToEndSuite.js';
import { clusterShape } from './clusterShape.js';
import { protocolV2Suite } from './protocolV2Suite.js';

let fixture: RedisFixture;
beforeAll(async () => {
  fixture = await startRedis();
});
afterAll(async () => {
  await fixture?.stop();
});

chatEndToEndSuite(clusterShape(() => fixture.url));
protocolV2Suite(clusterShape(() => fixture.url));
accessSuite(
  clusterShape(() => fixture.url),
  { capsPerAddress: true },
);
