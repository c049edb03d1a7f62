import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Cluster, Redis } from 'ioredis';
import { delay } from './ChatClient.js';
import { freePort, type SpawnedRedis, spawnRedisServer } from './redis.js';

const run = promisify(execFile);

/** One row of `CLUSTER SLOTS`: a slot range and its master (host, port, id) first. */
type SlotRange = [from: number, to: number, master: [host: string, port: number, id: string]];

export interface RedisClusterOptions {
  /** Masters, each owning an equal share of the slots. */
  readonly masters?: number;
  /** Replicas per master (a master with none cannot fail over). */
  readonly replicas?: number;
  /** `cluster-node-timeout`: how long a master may be silent before its replica takes over. */
  readonly nodeTimeoutMs?: number;
}

/** A Redis Cluster this test process made on loopback, and how to look into it and end it. */
export interface RedisClusterFixture {
  /** Every server, masters and replicas, by port. */
  readonly servers: ReadonlyMap<number, SpawnedRedis>;
  /** `host:port,...` of every server, as `REDIS_CLUSTER_NODES` takes it. */
  readonly seeds: string;
  /** The port of the master that owns `key`'s slot now. */
  masterOf(key: string): Promise<number>;
  /** Ports of the masters now. */
  masters(): Promise<number[]>;
  /** Kills one server (SIGKILL: an outage), as a crash would. */
  kill(port: number): Promise<void>;
  /** A plain client for one server. */
  server(port: number): Redis;
  /** A cluster client for assertions (closed by `stop`). */
  readonly client: Cluster;
  /** Every key under `prefix`, on every master. */
  keysUnder(prefix: string): Promise<string[]>;
  deleteKeysUnder(prefix: string): Promise<void>;
  /** Waits until every live server reports the cluster ok and agrees on who holds the slots. */
  settled(timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/**
 * Starts `masters × (1 + replicas)` redis-servers with `--cluster-enabled yes` on free loopback
 * ports, joins them with `redis-cli --cluster create`, and resolves once the cluster is ok.
 */
export async function startRedisCluster({
  masters = 3,
  replicas = 0,
  nodeTimeoutMs = 1000,
}: RedisClusterOptions = {}): Promise<RedisClusterFixture> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-cluster-'));
  const servers = new Map<number, SpawnedRedis>();
  const links = new Map<number, Redis>();
  const stopAll = async () => {
    for (const link of links.values()) link.disconnect();
    await Promise.all([...servers.values()].map((server) => server.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; i < masters * (1 + replicas); i++) {
      const server = await spawnRedisServer(undefined, [
        '--cluster-enabled',
        'yes',
        '--cluster-config-file',
        join(dir, `nodes-${i}.conf`),
        '--cluster-node-timeout',
        String(nodeTimeoutMs),
        // A bus port of its own: the default (port + 10000) may be taken, or past 65535.
        '--cluster-port',
        String(await freePort()),
        // A replica takes over however long ago it last heard from its master: a replica that
        // was still syncing (or starved on a busy machine) would otherwise never be promoted.
        '--cluster-replica-validity-factor',
        '0',
        '--dir',
        dir,
      ]);
      servers.set(server.port, server);
    }
    const addresses = [...servers.keys()].map((port) => `127.0.0.1:${port}`);
    await run('redis-cli', [
      '--cluster',
      'create',
      ...addresses,
      '--cluster-replicas',
      String(replicas),
      '--cluster-yes',
    ]);
  } catch (error) {
    await stopAll();
    throw new Error(`cannot make a Redis Cluster (needs redis-server and redis-cli 7): ${String(error)}`);
  }
  const server = (port: number) => {
    let link = links.get(port);
    if (link === undefined) {
      link = new Redis(port, '127.0.0.1', { maxRetriesPerRequest: 1, retryStrategy: () => 200 });
      link.on('error', () => {});
      links.set(port, link);
    }
    return link;
  };
  const dead = new Set<number>();
  const live = () => [...servers.keys()].filter((port) => !dead.has(port));
  const slotOwners = async (port: number) => {
    const slots = (await server(port).call('CLUSTER', 'SLOTS')) as SlotRange[];
    const ranges = slots.map(([from, to, [, owner]]) => `${from}-${to}@${owner}`);
    return ranges.sort().join(' ');
  };
  const fixture: RedisClusterFixture = {
    servers,
    seeds: [...servers.keys()].map((port) => `127.0.0.1:${port}`).join(','),
    async masterOf(key) {
      const slot = Number(await server(live()[0] ?? 0).call('CLUSTER', 'KEYSLOT', key));
      const slots = (await server(live()[0] ?? 0).call('CLUSTER', 'SLOTS')) as SlotRange[];
      const owner = slots.find(([from, to]) => slot >= from && slot <= to);
      if (owner === undefined) throw new Error(`no master owns slot ${slot}`);
      return owner[2][1];
    },
    async kill(port) {
      dead.add(port);
      await servers.get(port)?.kill();
    },
    async masters() {
      const nodes = (await server(live()[0] ?? 0).call('CLUSTER', 'NODES')) as string;
      return nodes
        .split('\n')
        .filter((line) => /\bmaster\b/.test(line) && !/\bfail\b/.test(line))
        .map((line) => Number(line.split(' ')[1]?.split(':')[1]?.split('@')[0]));
    },
    server,
    client: new Cluster(
      [...servers.keys()].map((port) => ({ host: '127.0.0.1', port })),
      {
        redisOptions: { maxRetriesPerRequest: 3 },
      },
    ),
    async keysUnder(prefix) {
      const found: string[] = [];
      for (const port of await fixture.masters()) {
        let cursor = '0';
        do {
          const [next, keys] = await server(port).scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
          cursor = next;
          found.push(...keys);
        } while (cursor !== '0');
      }
      return found.sort();
    },
    async deleteKeysUnder(prefix) {
      for (const key of await fixture.keysUnder(prefix)) await fixture.client.del(key);
    },
    async settled(timeoutMs = 20_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const views = await Promise.all(
          live().map(async (port) => {
            const info = (await server(port).call('CLUSTER', 'INFO')) as string;
            return info.includes('cluster_state:ok') ? await slotOwners(port) : 'not ok';
          }),
        ).catch(() => ['not ok']);
        if (views.every((view) => view !== 'not ok' && view === views[0])) return;
        if (Date.now() > deadline) throw new Error(`the Redis Cluster did not settle: ${views.join(' | ')}`);
        await delay(100);
      }
    },
    async stop() {
      fixture.client.disconnect();
      await stopAll();
    },
  };
  fixture.client.on('error', () => {});
  await fixture.settled();
  await replicasInSync(live().map(server), 20_000);
  return fixture;
}

/** Waits until every replica has its master's data (a full sync done, its link up). */
async function replicasInSync(links: readonly Redis[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const roles = await Promise.all(links.map((link) => link.info('replication'))).catch(() => ['unknown']);
    const waiting = roles.filter((info) => !/role:master/.test(info) && !/master_link_status:up/.test(info));
    if (waiting.length === 0) return;
    if (Date.now() > deadline) throw new Error(`${waiting.length} Redis Cluster replicas never synced`);
    await delay(100);
  }
}
