import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  RedisBroadcastRelay,
  RedisKeys,
  RedisSubscriber,
} from '../../../src/adapters/redis/index.js';
import { PeersUnreachableError } from '../../../src/domain/index.js';
import { delay, eventually } from '../../support/ChatClient.js';
import { type SpawnedRedis, spawnRedisServer, testClient, uniquePrefix } from '../../support/redis.js';

// A redis-server of its own: the tests kill and restart it.
let redis: SpawnedRedis | undefined;
const connections: Redis[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => closeRedis(connection, 200)));
  await redis?.kill();
  redis = undefined;
});

/** One node's relay, recording what it is handed to deliver. */
async function startRelay(url: string, keys: RedisKeys, options: { maxHeldFrames?: number } = {}) {
  const commands = await connectRedis(url, { role: 'commands', maxReconnectDelayMs: 100 });
  const subscriberConnection = await connectRedis(url, { role: 'subscriber', maxReconnectDelayMs: 100 });
  connections.push(commands, subscriberConnection);
  const relay = new RedisBroadcastRelay({
    redis: commands,
    subscriber: new RedisSubscriber(subscriberConnection),
    keys,
    nodeId: randomUUID(),
    resumeWaitMs: 2000,
    ...options,
  });
  const delivered: string[] = [];
  await relay.start(async (frame) => {
    delivered.push(frame);
  });
  return { relay, delivered };
}

describe('RedisBroadcastRelay', () => {
  describe('relay', () => {
    it('hands each frame, in order, to every other node and not back to its own', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => startRelay(redis!.url, keys)));
      const frames = Array.from({ length: 100 }, (_, i) => `frame ${i}`);
      for (const frame of frames) await a!.relay.relay(frame);
      await eventually(() => b!.delivered.length === 100 && c!.delivered.length === 100);
      expect(b!.delivered).toEqual(frames);
      expect(c!.delivered).toEqual(frames);
      expect(a!.delivered).toEqual([]);
    });

    it('drops a frame that reaches a node twice', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const receiver = await startRelay(redis.url, keys);
      const publisher = testClient(redis.url);
      try {
        for (const payload of ['other\n1\nfirst', 'other\n1\nfirst', 'other\n2\nsecond', 'other\n1\nfirst']) {
          await publisher.publish(keys.broadcastChannel, payload);
        }
        await eventually(() => receiver.delivered.length === 2);
        await delay(100);
        expect(receiver.delivered).toEqual(['first', 'second']);
      } finally {
        publisher.disconnect();
      }
    });
  });

  describe('across a Redis restart', () => {
    it('holds frames up to its bound, refuses the rest, and delivers the held ones once resubscribed', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const a = await startRelay(redis.url, keys, { maxHeldFrames: 2 });
      const b = await startRelay(redis.url, keys);
      await a.relay.relay('before');
      await eventually(() => b.delivered.length === 1);

      const port = redis.port;
      await redis.kill();
      await delay(100);
      await a.relay.relay('held 1');
      await a.relay.relay('held 2');
      await expect(a.relay.relay('one too many')).rejects.toBeInstanceOf(PeersUnreachableError);
      expect(a.relay.pending).toBe(2);

      redis = await spawnRedisServer(port);
      await eventually(() => b.delivered.length === 3, 10_000);
      await b.relay.relay('b after the restart');
      await a.relay.relay('a after the restart');
      await eventually(() => a.delivered.length === 1 && b.delivered.length === 4, 5000);
      expect(b.delivered).toEqual(['before', 'held 1', 'held 2', 'a after the restart']);
      expect(a.delivered).toEqual(['b after the restart']);
      expect(a.relay.pending).toBe(0);
    });
  });
});
