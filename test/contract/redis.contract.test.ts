import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { InMemoryConnectionRepository } from '../../src/adapters/memory/index.js';
import {
  closeRedis,
  connectRedis,
  createRedisChat,
  type RedisChat,
  RedisKeys,
  RedisPresence,
} from '../../src/adapters/redis/index.js';
import { WsChatServer, WsMessageGateway } from '../../src/adapters/ws/index.js';
import type { ConnectionId, ConnectionRepository } from '../../src/domain/index.js';
import { ChatClient } from '../support/ChatClient.js';
import { collect } from '../support/fakes.js';
import { deleteKeysUnder, type RedisFixture, startRedis, testClient, uniquePrefix } from '../support/redis.js';
import { connectionRepositoryContract } from './connectionRepositoryContract.js';
import { type ConnectedClient, type GatewayHarness, messageGatewayContract } from './messageGatewayContract.js';

let fixture: RedisFixture;
beforeAll(async () => {
  fixture = await startRedis();
});
afterAll(async () => {
  await fixture?.stop();
});

/** Deletes every key of a harness once it is done. */
async function cleanUp(prefix: string): Promise<void> {
  const admin = testClient(fixture.url);
  try {
    await deleteKeysUnder(admin, prefix);
  } finally {
    admin.disconnect();
  }
}

// The cluster-wide presence: every node's connections, as any node reads them.
connectionRepositoryContract('RedisPresence', async ({ pageSize }) => {
  const redis = await connectRedis(fixture.url, { role: 'commands' });
  const keys = new RedisKeys(uniquePrefix('contract'));
  const nodeId = randomUUID();
  const presence = new RedisPresence({ redis, keys, nodeId, ttlMs: 60_000 });
  // A registered node: the listing reads the connections of registered nodes only.
  await redis.zadd(keys.nodes, Date.now() + 60_000, nodeId);
  const repository: ConnectionRepository = {
    add: (id) => presence.add(id),
    remove: (id) => presence.remove(id),
    list: () => presence.list(pageSize),
  };
  return {
    repository,
    async close() {
      await deleteKeysUnder(redis, keys.prefix);
      await closeRedis(redis);
    },
  };
});

/** A cluster node assembled by the adapter's factory, on this test's Redis. */
async function createNode(prefix: string, pageSize?: number): Promise<{ chat: RedisChat; local: WsMessageGateway }> {
  const local = new WsMessageGateway({ maxBufferedBytes: 1024 * 1024 });
  const chat = await createRedisChat(fixture.url, {
    keyPrefix: prefix,
    heartbeatIntervalMs: 60_000,
    maxHeldFrames: 100,
    maxHeldBytes: 1024 * 1024,
    local,
    localConnections: new InMemoryConnectionRepository(pageSize === undefined ? {} : { pageSize }),
  });
  return { chat, local };
}

// A cluster node's repository: its own connections, written through to the presence in step.
connectionRepositoryContract('RedisConnectionRepository (createRedisChat)', async ({ pageSize }) => {
  const prefix = uniquePrefix('contract');
  const { chat } = await createNode(prefix, pageSize);
  await chat.start({ deliver: async () => {} });
  const reader = await connectRedis(fixture.url, { role: 'commands' });
  const presence = new RedisPresence({
    redis: reader,
    keys: new RedisKeys(prefix),
    nodeId: chat.nodeId,
    ttlMs: 60_000,
  });
  return {
    repository: chat.connections,
    async close() {
      const listed = (await collect(chat.connections.list())).flat().sort();
      const inPresence = (await collect(presence.list())).flat().sort();
      await chat.stop();
      await closeRedis(reader);
      await cleanUp(prefix);
      if (listed.join() !== inPresence.join()) throw new Error('presence out of step with the repository');
    },
  };
});

/** One in-process cluster node: a socket server whose clients receive what other nodes relay. */
async function startNode(prefix: string) {
  const { chat, local } = await createNode(prefix);
  const opened: ConnectionId[] = [];
  await chat.start({
    deliver: async (frame) => {
      for (const id of opened) local.post(id, frame);
    },
  });
  const server = new WsChatServer(
    local,
    {
      opened: async (id) => {
        await chat.connections.add(id);
        opened.push(id);
      },
      received: async () => {},
      closed: (id) => chat.connections.remove(id),
    },
    {
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: 128 * 1024,
      idleTimeoutMs: 60_000,
      maxConnectionAgeMs: 60_000,
      heartbeatIntervalMs: 10_000,
    },
  );
  const { port } = await server.listen();
  const clients: ChatClient[] = [];
  const connect = async (): Promise<ConnectedClient> => {
    const before = opened.length;
    const client = await ChatClient.connect(`ws://127.0.0.1:${port}`);
    clients.push(client);
    while (opened.length === before) await new Promise((resolve) => setImmediate(resolve));
    return { id: opened[before] as ConnectionId, client };
  };
  const close = async () => {
    await Promise.all(clients.map((client) => client.close()));
    await server.close();
    await chat.stop();
  };
  return { gateway: chat.gateway, connect, close };
}

// The gateway under test runs on node A: posts reach A's own sockets, relays reach node B's.
messageGatewayContract('RedisMessageGateway (createRedisChat)', async (): Promise<GatewayHarness> => {
  const prefix = uniquePrefix('contract');
  const [a, b] = await Promise.all([startNode(prefix), startNode(prefix)]);
  let queue: Promise<unknown> = Promise.resolve();
  const serially = (connect: () => Promise<ConnectedClient>) => {
    const next = queue.then(connect);
    queue = next.catch(() => {});
    return next;
  };
  return {
    gateway: a.gateway,
    connect: () => serially(a.connect),
    connectElsewhere: () => serially(b.connect),
    async close() {
      await Promise.all([a.close(), b.close()]);
      await cleanUp(prefix);
    },
  };
});
