import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchOptions } from './options.js';
import { probeCrossNode } from './probeCrossNode.js';
import { type BenchProcess, startNodeServer, startRedis, startRedisCluster } from './processes.js';
import { type ClientShape, PLAIN_CLIENTS } from './protocol.js';
import { type RatioTargets, TARGETS } from './report.js';

export type Target = 'ours' | 'reference';

/** The load of one scenario. */
export interface Load {
  readonly clients: number;
  readonly senders: number;
  readonly messages: number;
  readonly warmup: number;
  readonly payload: number;
  readonly window: number;
  readonly rate: number;
  /** Formats, names and rooms of the clients: plain original-protocol clients by default. */
  readonly shape: ClientShape;
}

/** Servers running for one measurement. */
export interface Deployment {
  /** The processes whose CPU and memory count as the server's. */
  readonly servers: readonly BenchProcess[];
  /** Backing services (Redis), measured apart. */
  readonly backing: readonly BenchProcess[];
  /** Where clients connect, taken in turn. */
  readonly urls: readonly string[];
  /** Ports of the Redis servers, whose own CPU count (`INFO cpu`) is read around the round. */
  readonly redisPorts?: readonly number[];
  /** Run after the processes stopped (temporary files). */
  readonly cleanup?: () => Promise<void>;
}

/** Where the bench finds what it runs. */
export interface Artifacts {
  /** A copy of dist/, so a concurrent `npm run build` cannot pull it away mid-run. */
  readonly distDir: string;
  readonly referenceStandalone: string;
  readonly referenceCluster: string;
  /** The bare `ws` loop over a `Map<room, Set<socket>>`. */
  readonly referenceRooms: string;
  readonly openFiles: number;
  readonly nodeArgs: (name: string) => readonly string[];
}

export interface Scenario {
  readonly name: string;
  /** What the figures measure, printed with them. */
  readonly note: string;
  /** Ratios of ours to the reference this scenario must meet; none: figures only, one run. */
  readonly targets?: RatioTargets;
  load(options: BenchOptions, target: Target): Load;
  /** Undefined when the scenario can run here, else why not. */
  unavailable(artifacts: Artifacts): string | undefined;
  start(target: Target, artifacts: Artifacts): Promise<Deployment>;
  /** Checks a started deployment works as this scenario needs; returns why not, if not. */
  probe?(deployment: Deployment): Promise<string | undefined>;
}

const loadOf = (options: BenchOptions, clients: number, senders: number, messages: number, window: number): Load => ({
  clients,
  senders: Math.min(senders, clients),
  messages,
  warmup: options.warmup,
  payload: options.payload,
  window,
  rate: options.rate,
  shape: PLAIN_CLIENTS,
});

/** One node: ours (`dist/server.js`, in-memory) or the bare `ws` loop. */
function startSingle(name: string, target: Target, artifacts: Artifacts): Promise<Deployment> {
  const script = target === 'ours' ? join(artifacts.distDir, 'server.js') : artifacts.referenceStandalone;
  return startScript(`${name}-${target}`, script, artifacts);
}

/** One node running `script` with `env`. */
async function startScript(
  name: string,
  script: string,
  artifacts: Artifacts,
  env: Record<string, string> = {},
): Promise<Deployment> {
  const { process, url } = await startNodeServer(name, script, env, {
    openFiles: artifacts.openFiles,
    nodeArgs: artifacts.nodeArgs(name),
  });
  return { servers: [process], backing: [], urls: [url] };
}

const ourServer = (artifacts: Artifacts) => join(artifacts.distDir, 'server.js');

const standalone: Scenario = {
  name: 'standalone',
  note: 'one node, connections in memory',
  targets: TARGETS,
  load: (options) => loadOf(options, options.clients, options.senders, options.messages, options.window),
  unavailable: (artifacts) => (existsSync(join(artifacts.distDir, 'server.js')) ? undefined : 'dist/server.js missing'),
  start: (target, artifacts) => startSingle('standalone', target, artifacts),
};

const scale: Scenario = {
  name: 'scale',
  note: 'one node holding many connections, one sender, each broadcast reaching all',
  targets: { rssPerIdleConnection: 1.0, deliveriesPerSecond: 0.9 },
  load: (options) => loadOf(options, options.scaleClients, 1, options.scaleMessages, 1),
  unavailable: standalone.unavailable,
  start: (target, artifacts) => startSingle('scale', target, artifacts),
};

const CLUSTER_NODES = 2;

const cluster: Scenario = {
  name: 'cluster',
  targets: TARGETS,
  note: `${CLUSTER_NODES} nodes over one dedicated Redis; clients alternate between nodes; server CPU is the nodes' sum`,
  load: (options) => loadOf(options, options.clients, options.senders, options.messages, options.window),
  unavailable: standalone.unavailable,
  async start(target, artifacts) {
    const script = target === 'ours' ? join(artifacts.distDir, 'server.js') : artifacts.referenceCluster;
    return startNodesOnRedis(`cluster-${target}`, CLUSTER_NODES, script, artifacts);
  },
  probe: (deployment) => probeCrossNode(deployment),
};

/** `count` nodes running `script` with `env`, started one after the other; all stopped if one fails. */
async function startNodes(
  name: string,
  count: number,
  script: string,
  env: Record<string, string>,
  artifacts: Artifacts,
): Promise<{ servers: BenchProcess[]; urls: string[] }> {
  const servers: BenchProcess[] = [];
  const urls: string[] = [];
  try {
    for (let node = 0; node < count; node++) {
      const started = await startNodeServer(`${name}-${node}`, script, env, {
        openFiles: artifacts.openFiles,
        nodeArgs: artifacts.nodeArgs(`${name}-${node}`),
      });
      servers.push(started.process);
      urls.push(started.url);
    }
  } catch (error) {
    await Promise.all(servers.map((process) => process.stop()));
    throw error;
  }
  return { servers, urls };
}

/** A dedicated Redis and `count` nodes running `script` against it; the Redis stopped if a node fails to start. */
async function startNodesOnRedis(name: string, count: number, script: string, artifacts: Artifacts) {
  const redis = await startRedis();
  const nodes = await startNodes(name, count, script, { REDIS_URL: redis.url }, artifacts).catch(
    async (error: unknown) => {
      await redis.process.stop();
      throw error;
    },
  );
  return { ...nodes, backing: [redis.process], redisPorts: [Number(new URL(redis.url).port)] };
}

const SHARDED_NODES = 4;
const SHARDS = 3;

/**
 * Whether a Redis Cluster carries more than one Redis: the rooms load on four of our nodes,
 * against a cluster of three masters (sharded pub/sub, each room on its shard) or one Redis.
 */
const clusterShards: Scenario = {
  name: 'cluster-shards',
  note: `${SHARDED_NODES} of our nodes, clients in rooms, every room busy; ours: a Redis Cluster of ${SHARDS} masters (SPUBLISH, each room on its shard); reference: the same nodes on one Redis. Redis CPU is each server's own (INFO cpu), summed`,
  // The room load is defined further down, with the single-node room scenarios.
  load: (options) => roomLoad(options),
  unavailable: standalone.unavailable,
  async start(target, artifacts) {
    const script = ourServer(artifacts);
    if (target === 'reference') return startNodesOnRedis('shards-reference', SHARDED_NODES, script, artifacts);
    const redis = await startRedisCluster(SHARDS);
    const nodes = await startNodes(
      'shards-ours',
      SHARDED_NODES,
      script,
      { REDIS_CLUSTER_NODES: redis.seeds },
      artifacts,
    ).catch(async (error: unknown) => {
      await redis.stop();
      throw error;
    });
    return { ...nodes, backing: redis.processes, redisPorts: redis.ports, cleanup: redis.stop };
  },
  probe: (deployment) => probeCrossNode(deployment),
};

/** The script `npm run start:aws-local` runs, once the AWS emulator bundle exists. */
function awsLocalScript(artifacts: Artifacts): string | undefined {
  for (const name of ['aws-local.js', 'aws-local.mjs', 'aws-local/index.js', 'awsLocal.js']) {
    const path = join(artifacts.distDir, name);
    if (existsSync(path)) return path;
  }
  return undefined;
}

const awsLocal: Scenario = {
  name: 'aws-local',
  note: 'the Lambda handlers and their adapters plus the local API Gateway emulator and its embedded store (not AWS itself); reference: the bare standalone loop under the same load',
  load: (options) => ({
    ...loadOf(options, options.awsClients, options.senders, options.awsMessages, options.window),
    // Each delivery is an HTTP call here: a short warm-up is enough to load the handlers.
    warmup: Math.min(options.warmup, 5),
  }),
  unavailable: (artifacts) =>
    awsLocalScript(artifacts) === undefined
      ? 'the aws-local emulator bundle is not in dist/ (not built yet)'
      : undefined,
  async start(target, artifacts) {
    if (target === 'reference') return startSingle('aws-local', target, artifacts);
    const { process, url } = await startNodeServer(
      'aws-local-ours',
      awsLocalScript(artifacts) as string,
      // The stage at the account's quota, the most it may be deployed with: the bench measures the
      // handlers and the emulator, not the stack's default stage throttle (100 messages a second).
      {
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
        THROTTLE_RATE_LIMIT: '10000',
        THROTTLE_BURST_LIMIT: '5000',
      },
      { openFiles: artifacts.openFiles, nodeArgs: artifacts.nodeArgs('aws-local-ours') },
    );
    return { servers: [process], backing: [], urls: [url] };
  },
};

/** Every room busy: its first member sends, one message in flight per room. */
const roomLoad = (options: BenchOptions): Load => ({
  ...loadOf(options, options.roomClients, Math.ceil(options.roomClients / options.roomSize), options.roomMessages, 1),
  warmup: Math.min(options.warmup, 3),
  shape: { ...PLAIN_CLIENTS, roomSize: options.roomSize },
});

const rooms: Scenario = {
  name: 'rooms',
  note: 'one node, clients in rooms, every room busy; reference: the bare ws loop over a Map<room, Set<socket>>',
  targets: { cpuPerDelivery: 1.1 },
  load: roomLoad,
  unavailable: standalone.unavailable,
  start: (target, artifacts) =>
    startScript(`rooms-${target}`, target === 'ours' ? ourServer(artifacts) : artifacts.referenceRooms, artifacts),
};

const roomsHistory: Scenario = {
  name: 'rooms-history',
  note: 'the rooms load on our server with history kept (the default) against the same server keeping none (HISTORY_MAX_MESSAGES=0): what storing costs per delivery',
  targets: { cpuPerDelivery: 1.1 },
  load: roomLoad,
  unavailable: standalone.unavailable,
  start: (target, artifacts) =>
    startScript(
      `rooms-history-${target}`,
      ourServer(artifacts),
      artifacts,
      target === 'ours' ? {} : { HISTORY_MAX_MESSAGES: '0' },
    ),
};

const mixed: Scenario = {
  name: 'mixed',
  note: 'one node, broadcasts to everyone; ours: half the clients format=json; reference: the same server with every client in text',
  targets: { cpuPerDelivery: 1.15 },
  load: (options, target) => ({
    ...loadOf(options, options.mixedClients, options.senders, options.messages, options.window),
    shape: { ...PLAIN_CLIENTS, formats: target === 'ours' ? 'mixed' : 'text' },
  }),
  unavailable: standalone.unavailable,
  start: (target, artifacts) => startScript(`mixed-${target}`, ourServer(artifacts), artifacts),
};

const scaleV2: Scenario = {
  name: 'scale-v2',
  note: 'the scale load with every protocol v2 feature in use: each client named, format=json and in 3 rooms; reference: the bare room loop, its clients in the same rooms',
  load: (options) => ({
    ...loadOf(options, options.scaleClients, 1, options.scaleMessages, 1),
    shape: { formats: 'json', named: true, roomSize: 0, extraRooms: 3 },
  }),
  unavailable: standalone.unavailable,
  start: (target, artifacts) =>
    startScript(`scale-v2-${target}`, target === 'ours' ? ourServer(artifacts) : artifacts.referenceRooms, artifacts),
};

export const SCENARIOS: readonly Scenario[] = [
  standalone,
  cluster,
  clusterShards,
  awsLocal,
  scale,
  rooms,
  roomsHistory,
  mixed,
  scaleV2,
];
