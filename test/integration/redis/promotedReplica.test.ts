import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterEach, describe, expect, it } from 'vitest';
import {
  closeRedis,
  connectRedis,
  OriginGapError,
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

  it('sends again what the former master acknowledged but its successor never received', async () => {
    redis = await spawnRedisServer();
    const keys = new RedisKeys(uniquePrefix('promoted'));
    const [a, b] = [await startRelay(redis.url, keys), await startRelay(redis.url, keys)];
    for (const text of ['one', 'two', 'three']) await a.relay.publish({ kind: 'message', draft: draft(text) });
    await eventually(() => b.messages().length === 3 && a.messages().length === 3);
    const admin = testClient(redis.url);
    try {
      // The successor lacks 'three': its number, its entry, and the record that its sender sent it.
      const last = a.messages().at(-1)?.id as string;
      await admin.hincrby(keys.roomSequence(null), 'n', -1);
      await admin.xdel(keys.roomLog(null), `0-${Number(last)}`);
      const origins = await admin.hgetall(keys.roomOrigins(null));
      const [sender, sequence] = Object.entries(origins)[0] as [string, string];
      await admin.hset(keys.roomOrigins(null), sender, Number(sequence) - 1);
      await admin.call('CLIENT', 'KILL', 'TYPE', 'normal');
      await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub');
      const stored = async () =>
        ((await admin.xrange(keys.roomLog(null), '-', '+')) as Array<[string, string[]]>).length;
      await eventually(async () => (await stored()) === 3, 10_000);
    } finally {
      admin.disconnect();
    }
    await delay(200);
    expect(b.messages().map((message) => message.data)).toEqual(['one', 'two', 'three']);
  });

  it('delivers a new message under a number the nodes delivered before, when its sender saw no failover', async () => {
    redis = await spawnRedisServer();
    const keys = new RedisKeys(uniquePrefix('promoted'));
    const [a, b] = [await startRelay(redis.url, keys), await startRelay(redis.url, keys)];
    for (const text of ['1', '2', '3', '4', '5']) await a.relay.publish({ kind: 'message', draft: draft(text) });
    await eventually(() => b.messages().length === 5);
    const admin = testClient(redis.url);
    try {
      // The successor lacks the last two messages: their numbers, their entries, their sender's record.
      const ids = b.messages().map((message) => Number(message.id));
      await admin.hincrby(keys.roomSequence(null), 'n', -2);
      await admin.xdel(keys.roomLog(null), `0-${ids[3]}`, `0-${ids[4]}`);
      await admin.call('XSETID', keys.roomLog(null), `0-${ids[2]}`);
      const [sender] = Object.keys(await admin.hgetall(keys.roomOrigins(null))) as [string];
      await admin.hset(keys.roomOrigins(null), sender, 3);
    } finally {
      admin.disconnect();
    }
    // A node that sent nothing during the failover keeps its link and raises no counter: its
    // messages take the numbers of the two lost ones, and a third misses one of them live.
    const writer = await connectRedis(redis.url, { role: 'commands' });
    connections.push(writer);
    const history = new RedisMessageHistory({ redis: writer, keys });
    const channel = keys.roomChannel(null);
    await history.store(draft('new 1'), { channel: '', origin: 'other', originSequence: 1 });
    await history.store(draft('new 2'), { channel, origin: 'other', originSequence: 2 });
    await eventually(() => b.messages().length === 7);
    await delay(100);
    expect(b.messages().map((message) => message.data)).toEqual(['1', '2', '3', '4', '5', 'new 1', 'new 2']);
    expect(b.events.filter((event) => event.kind === 'lost')).toEqual([]);
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

describe('RedisMessageHistory.store with an origin', () => {
  it("stores an origin's messages to a room in its order only, each once", async () => {
    redis = await spawnRedisServer();
    const keys = new RedisKeys(uniquePrefix('origin'));
    const writer = await connectRedis(redis.url, { role: 'commands' });
    connections.push(writer);
    const history = new RedisMessageHistory({ redis: writer, keys });
    const publishing = { channel: '', origin: 'sender' };
    await history.store(draft('first'), { ...publishing, originSequence: 1 });
    // The third overtook the second (a script cache miss answered late): refused, nothing stored.
    await expect(history.store(draft('third'), { ...publishing, originSequence: 3 })).rejects.toEqual(
      expect.objectContaining({ code: 'ORIGIN_GAP', recorded: 1 }),
    );
    expect(await history.store(draft('second'), { ...publishing, originSequence: 2 })).toBeDefined();
    expect(await history.store(draft('third'), { ...publishing, originSequence: 3 })).toBeDefined();
    expect(await history.store(draft('second'), { ...publishing, originSequence: 2 })).toBeUndefined();
    // Lost for good (acknowledged too long ago to send again): the sender skips them explicitly.
    await expect(history.store(draft('sixth'), { ...publishing, originSequence: 6 })).rejects.toBeInstanceOf(
      OriginGapError,
    );
    expect(await history.store(draft('sixth'), { ...publishing, originSequence: 6, after: 3 })).toBeDefined();
    const stored = await history.entries(null, 0, Number.MAX_SAFE_INTEGER);
    expect(stored.map(({ message, originSequence }) => [message.data, originSequence])).toEqual([
      ['first', 1],
      ['second', 2],
      ['third', 3],
      ['sixth', 6],
    ]);
  });
});
