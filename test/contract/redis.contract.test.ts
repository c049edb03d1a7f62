import { afterAll, beforeAll } from 'vitest';
import { InMemoryConnectionRepository } from '../../src/adapters/memory/index.js';
import {
  closeRedis,
  connectRedis,
  createRedisChat,
  type RedisChat,
  RedisKeys,
  RedisMessageHistory,
} from '../../src/adapters/redis/index.js';
import { WsChatServer, WsMessageGateway } from '../../src/adapters/ws/index.js';
import { type ConnectionId, DEFAULT_RETENTION } from '../../src/domain/index.js';
import { ChatClient } from '../support/ChatClient.js';
import { deleteKeysUnder, type RedisFixture, startRedis, testClient, uniquePrefix } from '../support/redis.js';
import { connectionRepositoryContract } from './connectionRepositoryContract.js';
import { type ConnectedClient, type GatewayHarness, messageGatewayContract } from './messageGatewayContract.js';
import { messageHistoryContract } from './messageHistoryContract.js';

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

/** A cluster node assembled by the adapter's factory, on this test's Redis. */
async function createNode(prefix: string, pageSize?: number): Promise<{ chat: RedisChat; local: WsMessageGateway }> {
  const local = new WsMessageGateway({ maxBufferedBytes: 1024 * 1024 });
  const chat = await createRedisChat(fixture.url, {
    keyPrefix: prefix,
    heartbeatIntervalMs: 60_000,
    maxHeldFrames: 100,
    maxHeldBytes: 1024 * 1024,
    retention: DEFAULT_RETENTION,
    local,
    localConnections: new InMemoryConnectionRepository(pageSize === undefined ? {} : { pageSize }),
  });
  return { chat, local };
}

// A cluster node's repository: its own connections in memory, its presence in Redis for member lists.
connectionRepositoryContract('RedisConnectionRepository (createRedisChat)', async ({ pageSize }) => {
  const prefix = uniquePrefix('contract');
  const { chat } = await createNode(prefix, pageSize);
  await chat.start({ deliver: async () => {} });
  return {
    repository: chat.connections,
    async close() {
      await chat.stop();
      await cleanUp(prefix);
    },
  };
});

messageHistoryContract('RedisMessageHistory', async ({ retention, now }) => {
  const redis = await connectRedis(fixture.url, { role: 'commands' });
  const keys = new RedisKeys(uniquePrefix('contract'));
  return {
    history: new RedisMessageHistory({ redis, keys, retention, now }),
    // The room's keys expired: every key of this history gone.
    async forget() {
      await deleteKeysUnder(redis, keys.prefix);
      return new RedisMessageHistory({ redis, keys, retention, now });
    },
    async close() {
      await deleteKeysUnder(redis, keys.prefix);
      await closeRedis(redis);
    },
  };
});

/** One in-process cluster node: a socket server whose clients receive the text of what is published. */
async function startNode(prefix: string) {
  const { chat, local } = await createNode(prefix);
  const opened: ConnectionId[] = [];
  await chat.start({
    deliver: async (event) => {
      if (event.kind !== 'message') return;
      for (const id of opened) local.post(id, event.message.data);
    },
  });
  const server = new WsChatServer(
    local,
    {
      admit: async () => ({ admitted: true, session: undefined }),
      opened: async (id) => {
        await chat.connections.add({ id, format: 'text', name: 'n', nameLocked: false });
        opened.push(id);
      },
      received: async () => {},
      closed: async (id) => void (await chat.connections.remove(id)),
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

// The gateway under test runs on node A: posts reach A's own sockets, publications every node's.
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
