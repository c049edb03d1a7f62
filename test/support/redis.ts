import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { createConnection, createServer } from 'node:net';
import { Redis } from 'ioredis';

/** A Redis the tests may use, and how to release it. */
export interface RedisFixture {
  readonly url: string;
  /** Where it came from: the environment, a container, or a locally spawned server. */
  readonly source: 'env' | 'container' | 'spawned';
  stop(): Promise<void>;
}

/** A redis-server this test process started, which it may kill and start again on the same port. */
export interface SpawnedRedis extends RedisFixture {
  readonly port: number;
  readonly pid: number;
  /** Kills the server (`SIGKILL` by default: an outage, not a shutdown) and waits for its exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/**
 * The Redis for a test file: `REDIS_URL` when given, else a `redis:7` container where a container
 * runtime answers, else a redis-server spawned on a free port. Finding none is a failure, never a
 * skip (under `CI=true` and elsewhere alike). Isolate tests with `uniquePrefix()`.
 */
export async function startRedis(): Promise<RedisFixture> {
  const fromEnv = process.env.REDIS_URL;
  if (fromEnv !== undefined && fromEnv !== '') return { url: fromEnv, source: 'env', stop: async () => {} };
  const { GenericContainer, getContainerRuntimeClient } = await import('testcontainers');
  const runtime = await getContainerRuntimeClient().then(
    () => true,
    () => false,
  );
  if (runtime) {
    const container = await new GenericContainer('redis:7').withExposedPorts(6379).start();
    return {
      url: `redis://${container.getHost()}:${container.getMappedPort(6379)}`,
      source: 'container',
      stop: async () => void (await container.stop()),
    };
  }
  return spawnRedisServer();
}

/**
 * Starts `redis-server` on `port` (a free one by default), without persistence (and with
 * `extraArgs`), and resolves once it answers PING. Throws with a hint when the binary is missing.
 */
export async function spawnRedisServer(port?: number, extraArgs: readonly string[] = []): Promise<SpawnedRedis> {
  const chosen = port ?? (await freePort());
  const child = spawn(
    'redis-server',
    ['--port', String(chosen), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', ...extraArgs],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const failed = new Promise<never>((_, reject) =>
    child.once('error', (error) =>
      reject(new Error(`cannot start redis-server (install it, or set REDIS_URL): ${error.message}`)),
    ),
  );
  await Promise.race([failed, waitForPong(chosen, child, () => output)]);
  const kill = async (signal: NodeJS.Signals = 'SIGKILL') => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    await exited;
  };
  return {
    url: `redis://127.0.0.1:${chosen}`,
    source: 'spawned',
    port: chosen,
    pid: child.pid as number,
    kill,
    stop: () => kill('SIGTERM'),
  };
}

async function waitForPong(port: number, child: ChildProcess, output: () => string, timeoutMs = 10_000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`redis-server exited: ${output()}`);
    if (await ping(port)) return;
    if (Date.now() > deadline) throw new Error(`redis-server on ${port} not ready: ${output()}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    let reply = '';
    socket.on('connect', () => socket.write('PING\r\n'));
    socket.on('data', (chunk) => {
      reply += chunk.toString();
      if (reply.includes('\r\n')) {
        socket.destroy();
        resolve(reply.startsWith('+PONG'));
      }
    });
    socket.on('error', () => resolve(false));
  });
}

/** A port nothing listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** A key prefix no other test uses. */
export const uniquePrefix = (label = 'test'): string => `${label}:${randomUUID()}:`;

/** A plain client for assertions, with an error listener so outages do not log noise. */
export function testClient(url: string): Redis {
  const redis = new Redis(url, { maxRetriesPerRequest: null, retryStrategy: () => 100 });
  redis.on('error', () => {});
  return redis;
}

/** Every key under `prefix`. */
export async function keysUnder(redis: Redis, prefix: string): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    cursor = next;
    found.push(...keys);
  } while (cursor !== '0');
  return found.sort();
}

/** Deletes every key under `prefix`. */
export async function deleteKeysUnder(redis: Redis, prefix: string): Promise<void> {
  const keys = await keysUnder(redis, prefix);
  if (keys.length > 0) await redis.del(...keys);
}
