import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  RedisKeys,
  RedisMessageHistory,
  RedisRoomRelay,
  RedisSubscriber,
} from '../../../src/adapters/redis/index.js';
import type { MessageDraft, RelayedEvent } from '../../../src/domain/index.js';
import { delay, eventually } from '../../support/ChatClient.js';
import { type SpawnedRedis, spawnRedisServer, testClient, uniquePrefix } from '../../support/redis.js';

// A promoted replica can lack the last writes of the master it replaces. These tests take those
// writes back by hand on one redis-server, then drop the nodes' links as a failover does.
let redis: SpawnedRedis | undefined;
const connections: Redis[] = [];
afterEach(async () => {
  await Promise.all(connections.splice(0).map((connection) => closeRedis(connection, 200)));
  await redis?.kill();
  redis = undefined;
});

const draft = (data: string): MessageDraft => ({ room: null, from: { name: 'n' }, ts: Date.now(), data });

async function startRelay(url: string, keys: RedisKeys) {
  const nodeId = randomUUID();
  const commands = await connectRedis(url, { role: 'commands', maxReconnectDelayMs: 100 });
  const subscriber = await connectRedis(url, { role: 'subscriber', maxReconnectDelayMs: 100 });
  connections.push(commands, subscriber);
  const history = new RedisMessageHistory({ redis: commands, keys });
  const relay = new RedisRoomRelay({
    redis: commands,
    subscriber: new RedisSubscriber(subscriber),
    keys,
    nodeId,
    history,
    resumeWaitMs: 2000,
  });
  const events: RelayedEvent[] = [];
  await relay.start({ deliver: async (event) => void events.push(event) });
  const messages = () => events.flatMap((event) => (event.kind === 'message' ? [event.message] : []));
  return { relay, events, messages, commands };
}

describe('RedisRoomRelay after a failover to a replica that lags', () => {
  it('numbers new messages past what the nodes delivered, so none is dropped as a repeat', async () => {
    redis = await spawnRedisServer();
    const keys = new RedisKeys(uniquePrefix('promoted'));
    const [a, b] = [await startRelay(redis.url, keys), await startRelay(redis.url, keys)];
    for (const text of ['1', '2', '3', '4', '5']) await a.relay.publish({ kind: 'message', draft: draft(text) });
    await eventually(() => b.messages().length === 5 && a.messages().length === 5);
    const admin = testClient(redis.url);
    try {
      // The replica never got the last two messages' counter updates.
      await admin.hincrby(keys.roomSequence(null), 'n', -2);
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
    } finally {
      admin.disconnect();
    }
    await eventually(() => a.commands.status === 'ready');
    await delay(200);
    await a.relay.publish({ kind: 'message', draft: draft('after the failover') });
    await eventually(() => b.messages().length === 6 && a.messages().length === 6, 10_000);
    for (const node of [a, b]) {
      const ids = node.messages().map((message) => message.id);
      expect(new Set(ids).size).toBe(6);
      expect([...ids].sort()).toEqual(ids);
      expect(node.messages().at(-1)?.data).toBe('after the failover');
      expect(node.events.filter((event) => event.kind === 'lost')).toEqual([]);
    }
  });

  it('delivers once a message the replica stores again under a new number', async () => {
    redis = await spawnRedisServer();
    const keys = new RedisKeys(uniquePrefix('promoted'));
    const receiver = await startRelay(redis.url, keys);
    const writer = await connectRedis(redis.url, { role: 'commands' });
    connections.push(writer);
    const history = new RedisMessageHistory({ redis: writer, keys });
    const publishing = { channel: keys.roomChannel(null), origin: 'sender', originSequence: 1 };
    await history.store(draft('once'), publishing);
    await eventually(() => receiver.messages().length === 1);
    // The replica lacks the record of what the sender sent: its resend is stored and published again.
    await writer.del(keys.roomOrigins(null));
    await history.store(draft('once'), publishing);
    await history.store(draft('next'), { ...publishing, originSequence: 2 });
    await eventually(() => receiver.messages().some((message) => message.data === 'next'));
    await delay(100);
    expect(receiver.messages().map((message) => message.data)).toEqual(['once', 'next']);
  });
});
