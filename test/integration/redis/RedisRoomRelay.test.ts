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
import {
  type HistoryRetention,
  type MessageDraft,
  PeersUnreachableError,
  type RelayedEvent,
  type RoomName,
} from '../../../src/domain/index.js';
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

const draft = (data: string, room: RoomName | null = null): MessageDraft => ({
  room,
  from: { name: 'n' },
  ts: Date.now(),
  data,
});

/** One node's relay, recording what it is handed to deliver. */
async function startRelay(
  url: string,
  keys: RedisKeys,
  options: { maxHeldFrames?: number; retention?: Partial<HistoryRetention> } = {},
) {
  const nodeId = randomUUID();
  const commands = await connectRedis(url, { role: 'commands', maxReconnectDelayMs: 100 });
  const subscriberConnection = await connectRedis(url, {
    role: 'subscriber',
    name: `chat-subscriber-${nodeId}`,
    maxReconnectDelayMs: 100,
  });
  connections.push(commands, subscriberConnection);
  const history = new RedisMessageHistory({ redis: commands, keys, retention: options.retention ?? {} });
  const relay = new RedisRoomRelay({
    redis: commands,
    subscriber: new RedisSubscriber(subscriberConnection),
    keys,
    nodeId,
    history,
    resumeWaitMs: 2000,
    ...(options.maxHeldFrames === undefined ? {} : { maxHeldFrames: options.maxHeldFrames }),
  });
  const events: RelayedEvent[] = [];
  await relay.start({ deliver: async (event) => void events.push(event) });
  const texts = () => events.flatMap((event) => (event.kind === 'message' ? [event.message.data] : []));
  const ids = () => events.flatMap((event) => (event.kind === 'message' ? [event.message.id] : []));
  return { nodeId, relay, events, texts, ids, history };
}

describe('RedisRoomRelay', () => {
  describe('publish', () => {
    it('hands each message, numbered in order, to every node, its sender included', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const [a, b, c] = await Promise.all([1, 2, 3].map(() => startRelay(redis!.url, keys)));
      const data = Array.from({ length: 100 }, (_, i) => `message ${i}`);
      for (const text of data) await a!.relay.publish({ kind: 'message', draft: draft(text) });
      await eventually(() => [a, b, c].every((node) => node!.texts().length === 100));
      for (const node of [a, b, c]) expect(node!.texts()).toEqual(data);
      expect(b!.ids()).toEqual(a!.ids());
      expect([...a!.ids()].sort()).toEqual(a!.ids());
      expect(new Set(a!.ids()).size).toBe(100);
    });

    it('reaches only the nodes with members in the room', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const [member, stranger] = await Promise.all([startRelay(redis.url, keys), startRelay(redis.url, keys)]);
      const room = 'r' as RoomName;
      await member.relay.retain(room);
      await stranger.relay.publish({ kind: 'message', draft: draft('for r', room) });
      await eventually(() => member.texts().length === 1);
      await delay(100);
      expect(stranger.events).toEqual([]);
      await member.relay.release(room);
      await stranger.relay.publish({ kind: 'message', draft: draft('nobody listens', room) });
      await delay(200);
      expect(member.texts()).toEqual(['for r']);
    });
  });

  describe('receive', () => {
    it('drops a message that reaches a node twice, and fills a gap from the history', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const receiver = await startRelay(redis.url, keys);
      const writer = await connectRedis(redis.url, { role: 'commands' });
      connections.push(writer);
      const history = new RedisMessageHistory({ redis: writer, keys });
      const publisher = testClient(redis.url);
      try {
        const channel = keys.roomChannel(null);
        const stored: Array<{ epoch: string; latest: number } | undefined> = [];
        for (const text of ['one', 'two', 'three']) stored.push(await history.store(draft(text)));
        const envelope = (index: number) =>
          `m\n${stored[index]?.latest}\n${stored[index]?.epoch}\nother\n${index + 1}\n${JSON.stringify(draft(['one', 'two', 'three'][index] as string))}`;
        // 'one' arrives twice; 'two' never arrives on the channel; 'three' reveals the gap.
        for (const index of [0, 0, 2]) await publisher.publish(channel, envelope(index));
        await eventually(() => receiver.texts().length === 3);
        await delay(100);
        expect(receiver.texts()).toEqual(['one', 'two', 'three']);
      } finally {
        publisher.disconnect();
      }
    });

    it('tells the room what the history cannot give back, rather than losing it silently', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const receiver = await startRelay(redis.url, keys, { retention: { maxMessages: 0 } });
      const writer = await connectRedis(redis.url, { role: 'commands' });
      connections.push(writer);
      const history = new RedisMessageHistory({ redis: writer, keys, retention: { maxMessages: 0 } });
      await history.store(draft('never published'));
      await history.store(draft('never published either'));
      const sender = await startRelay(redis.url, keys, { retention: { maxMessages: 0 } });
      await sender.relay.publish({ kind: 'message', draft: draft('after the gap') });
      await eventually(() => receiver.texts().length === 1);
      expect(receiver.events).toEqual([
        { kind: 'lost', room: null, count: 2 },
        expect.objectContaining({ kind: 'message', message: expect.objectContaining({ data: 'after the gap' }) }),
      ]);
    });
  });

  describe('when its subscriber link drops while the publisher stays up', () => {
    it('recovers what was published meanwhile from the history, once each, in order', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const [sender, receiver] = await Promise.all([startRelay(redis.url, keys), startRelay(redis.url, keys)]);
      await sender.relay.publish({ kind: 'message', draft: draft('before') });
      await eventually(() => receiver.texts().length === 1);
      const admin = testClient(redis.url);
      try {
        await admin.call('CLIENT', 'KILL', 'TYPE', 'pubsub', 'SKIPME', 'yes');
        const during = Array.from({ length: 20 }, (_, i) => `during ${i}`);
        for (const text of during) await sender.relay.publish({ kind: 'message', draft: draft(text) });
        await eventually(() => receiver.texts().length === 21, 10_000);
        await sender.relay.publish({ kind: 'message', draft: draft('after') });
        await eventually(() => receiver.texts().length === 22, 10_000);
        await delay(100);
        expect(receiver.texts()).toEqual(['before', ...during, 'after']);
        expect(receiver.events.filter((event) => event.kind === 'lost')).toEqual([]);
      } finally {
        admin.disconnect();
      }
    });
  });

  describe('across a Redis restart', () => {
    it('holds publications up to its bound, refuses the rest, and delivers the held ones once resubscribed', async () => {
      redis = await spawnRedisServer();
      const keys = new RedisKeys(uniquePrefix('relay'));
      const a = await startRelay(redis.url, keys, { maxHeldFrames: 2 });
      const b = await startRelay(redis.url, keys);
      await a.relay.publish({ kind: 'message', draft: draft('before') });
      await eventually(() => b.texts().length === 1);

      const port = redis.port;
      await redis.kill();
      await delay(100);
      await a.relay.publish({ kind: 'message', draft: draft('held 1') });
      await a.relay.publish({ kind: 'message', draft: draft('held 2') });
      await expect(a.relay.publish({ kind: 'message', draft: draft('one too many') })).rejects.toBeInstanceOf(
        PeersUnreachableError,
      );

      redis = await spawnRedisServer(port);
      await eventually(() => b.texts().length === 3, 10_000);
      await b.relay.publish({ kind: 'message', draft: draft('b after the restart') });
      await eventually(() => b.texts().length === 4, 5000);
      await a.relay.publish({ kind: 'message', draft: draft('a after the restart') });
      await eventually(() => b.texts().length === 5, 5000);
      expect(b.texts()).toEqual(['before', 'held 1', 'held 2', 'b after the restart', 'a after the restart']);
      // The sender's own copies say so, so that its text members are not served twice.
      const own = a.events.flatMap((event) => (event.kind === 'message' ? [[event.message.data, event.own]] : []));
      expect(own.slice(0, 3)).toEqual([
        ['before', true],
        ['held 1', true],
        ['held 2', true],
      ]);
      const ownAtB = b.events.flatMap((event) => (event.kind === 'message' && event.own ? [event.message.data] : []));
      expect(ownAtB).toEqual(['b after the restart']);
    });
  });
});
