import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import { afterAll, beforeAll } from 'vitest';
import { InMemoryConnectionRepository } from '../../src/adapters/memory/index.js';
import {
  closeRedis,
  connectRedis,
  RedisBroadcastRelay,
  RedisConnectionRepository,
  RedisKeys,
  RedisMessageGateway,
  RedisSubscriber,
} from '../../src/adapters/redis/index.js';
import { WsChatServer, WsMessageGateway } from '../../src/adapters/ws/index.js';
import type { ConnectionId } from '../../src/domain/index.js';
import { ClusterMembership } from '../../src/entrypoints/server/ClusterMembership.js';
import { ChatClient } from '../support/ChatClient.js';
import { collect } from '../support/fakes.js';
import { deleteKeysUnder, type RedisFixture, startRedis, uniquePrefix } from '../support/redis.js';
import { connectionRepositoryContract } from './connectionRepositoryContract.js';
import { type ConnectedClient, type GatewayHarness, messageGatewayContract } from './messageGatewayContract.js';

let fixture: RedisFixture;
beforeAll(async () => {
  fixture = await startRedis();
});
afterAll(async () => {
  await fixture?.stop();
});

connectionRepositoryContract('RedisConnectionRepository', async ({ pageSize }) => {
  const redis = await connectRedis(fixture.url, { role: 'commands' });
  const keys = new RedisKeys(uniquePrefix('contract'));
  return {
    repository: new RedisConnectionRepository({ redis, keys, nodeId: randomUUID(), pageSize }),
    async close() {
      await deleteKeysUnder(redis, keys.prefix);
      await closeRedis(redis);
    },
  };
});

// A cluster node's audience: its own connections, written through to the directory.
connectionRepositoryContract('ClusterMembership over RedisConnectionRepository', async ({ pageSize }) => {
  const redis = await connectRedis(fixture.url, { role: 'commands' });
  const keys = new RedisKeys(uniquePrefix('contract'));
  const directory = new RedisConnectionRepository({ redis, keys, nodeId: randomUUID() });
  const failures: unknown[] = [];
  const membership = new ClusterMembership(new InMemoryConnectionRepository({ pageSize }), directory, (error) =>
    failures.push(error),
  );
  return {
    repository: membership,
    async close() {
      const listed = (await collect(membership.list())).flat().sort();
      const inDirectory = (await collect(directory.list())).flat().sort();
      await deleteKeysUnder(redis, keys.prefix);
      await closeRedis(redis);
      if (failures.length > 0 || listed.join() !== inDirectory.join()) {
        throw new Error(`directory out of step with the membership: ${failures.length} failed writes`);
      }
    },
  };
});

/** One in-process cluster node: a socket server whose joins and leaves go to the directory. */
async function startNode(keys: RedisKeys) {
  const nodeId = randomUUID();
  const redis = await connectRedis(fixture.url, { role: 'commands' });
  const subscriberConnection = await connectRedis(fixture.url, { role: 'subscriber' });
  const directory = new RedisConnectionRepository({ redis, keys, nodeId });
  const local = new WsMessageGateway({ maxBufferedBytes: 1024 * 1024 });
  const subscriber = new RedisSubscriber(subscriberConnection);
  const broadcasts = new RedisBroadcastRelay({ redis, subscriber, keys, nodeId });
  const gateway = new RedisMessageGateway({ redis, subscriber, keys, nodeId, local, directory, broadcasts });
  await gateway.start();
  const opened: ConnectionId[] = [];
  // What a node does with a relayed broadcast: hand it to each of its own connections.
  await broadcasts.start((frame) => Promise.all(opened.map((id) => local.post(id, frame))));
  const server = new WsChatServer(
    local,
    {
      opened: async (id) => {
        await directory.add(id);
        opened.push(id);
      },
      received: async () => {},
      closed: (id) => directory.remove(id),
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
    await broadcasts.stop();
    await gateway.stop();
    await Promise.all([closeRedis(redis), closeRedis(subscriberConnection)]);
  };
  return { gateway, redis, connect, close };
}

// The gateway under test runs on node A; clients alternate between node B and A, so both the
// cross-node path (directory lookup, node channel) and the local one are held to the contract.
messageGatewayContract('RedisMessageGateway', async (): Promise<GatewayHarness> => {
  const keys = new RedisKeys(uniquePrefix('contract'));
  const [a, b] = await Promise.all([startNode(keys), startNode(keys)]);
  let count = 0;
  let queue: Promise<unknown> = Promise.resolve();
  return {
    gateway: a.gateway,
    connect() {
      const node = count++ % 2 === 0 ? b : a;
      const next = queue.then(() => node.connect());
      queue = next.catch(() => {});
      return next;
    },
    connectElsewhere() {
      const next = queue.then(() => b.connect());
      queue = next.catch(() => {});
      return next;
    },
    async close() {
      await Promise.all([a.close(), b.close()]);
      const cleaner = await connectRedis(fixture.url, { role: 'commands' });
      await deleteKeysUnder(cleaner as Redis, keys.prefix);
      await closeRedis(cleaner);
    },
  };
});
