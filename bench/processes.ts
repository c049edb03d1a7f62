import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

/** A child process the bench started, with the tail of what it wrote, stopped by its pid. */
export interface BenchProcess {
  readonly name: string;
  readonly pid: number;
  readonly child: ChildProcess;
  /** The last few kilobytes the process wrote, for diagnosis. */
  output(): string;
  /** Resolves with the first line of output, from now on, that starts with `prefix`. */
  nextLine(prefix: string, timeoutMs: number): Promise<string>;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once the process has exited. */
  stop(graceMs?: number): Promise<void>;
}

const OUTPUT_TAIL_BYTES = 8192;

/**
 * Runs `command` through `sh` so that the soft open-file limit can be raised for it first (10,000
 * connections need more descriptors than many defaults allow); `exec` keeps the pid the same.
 */
export function spawnWithFileLimit(
  command: string,
  args: readonly string[],
  options: { env?: NodeJS.ProcessEnv; openFiles?: number; ipc?: boolean },
): ChildProcess {
  const limit = options.openFiles === undefined ? '' : `ulimit -n ${options.openFiles} 2>/dev/null || true; `;
  return spawn('/bin/sh', ['-c', `${limit}exec "$0" "$@"`, command, ...args], {
    env: options.env ?? process.env,
    stdio: options.ipc === true ? ['ignore', 'inherit', 'inherit', 'ipc'] : ['ignore', 'pipe', 'pipe'],
  });
}

/** Starts a process and resolves once its output matches `ready`, with the match. */
export function startProcess(
  name: string,
  child: ChildProcess,
  ready: RegExp,
  timeoutMs: number,
): Promise<{ process: BenchProcess; match: RegExpExecArray }> {
  let output = '';
  let watchers: Array<(text: string) => boolean> = [];
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const append = (chunk: Buffer) => {
    const text = chunk.toString();
    output = (output + text).slice(-OUTPUT_TAIL_BYTES);
    if (watchers.length > 0) watchers = watchers.filter((watch) => !watch(text));
  };
  const bench: BenchProcess = {
    name,
    pid: child.pid ?? -1,
    child,
    output: () => output,
    nextLine(prefix, timeoutMs) {
      return new Promise((resolve, reject) => {
        let pending = '';
        const timer = setTimeout(() => {
          watchers = watchers.filter((watch) => watch !== watcher);
          reject(new Error(`${name}: no "${prefix}" line within ${timeoutMs} ms`));
        }, timeoutMs);
        const watcher = (text: string): boolean => {
          pending += text;
          const lines = pending.split('\n');
          pending = lines.pop() ?? '';
          const line = lines.find((candidate) => candidate.startsWith(prefix));
          if (line === undefined) return false;
          clearTimeout(timer);
          resolve(line);
          return true;
        };
        watchers.push(watcher);
      });
    },
    async stop(graceMs = 5000) {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const cut = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(cut);
    },
  };
  return new Promise((resolve, reject) => {
    let done = false;
    const timer = setTimeout(() => fail(new Error(`${name} not ready within ${timeoutMs} ms`)), timeoutMs);
    const fail = (error: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      void bench.stop(0).then(() => reject(new Error(`${error.message}\n${output}`)));
    };
    const onData = (chunk: Buffer) => {
      append(chunk);
      const match = ready.exec(output);
      if (match === null || done) return;
      done = true;
      clearTimeout(timer);
      resolve({ process: bench, match });
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    void exited.then(() => fail(new Error(`${name} exited (code ${child.exitCode}) before it was ready`)));
  });
}

const WS_URL = /ws:\/\/[^\s/]+:(\d+)(\/\S*)?/;

/**
 * What every server of a benchmark runs with: the load comes from one address at full speed, which
 * the access limits that protect a real server would refuse (they are measured by the hostile
 * suite instead). The reference servers ignore these.
 */
const LOAD_TEST_ENV = { RATE_LIMIT_PER_S: '0', MAX_CONNECTIONS: '0', MAX_CONNECTIONS_PER_IP: '0' };

/** Starts a node entrypoint that prints its `ws://HOST:PORT` ready line; resolves with the URL. */
export async function startNodeServer(
  name: string,
  script: string,
  env: NodeJS.ProcessEnv,
  options: { openFiles?: number; nodeArgs?: readonly string[]; timeoutMs?: number } = {},
): Promise<{ process: BenchProcess; url: string }> {
  const child = spawnWithFileLimit(process.execPath, [...(options.nodeArgs ?? []), script], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...LOAD_TEST_ENV, ...env },
    ...(options.openFiles === undefined ? {} : { openFiles: options.openFiles }),
  });
  const { process: started, match } = await startProcess(name, child, WS_URL, options.timeoutMs ?? 30_000);
  return { process: started, url: `ws://127.0.0.1:${match[1]}${match[2] ?? ''}` };
}

/** A free TCP port on loopback (redis-server refuses port 0). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** A dedicated, memory-only redis-server on a free loopback port. */
export async function startRedis(timeoutMs = 10_000): Promise<{ process: BenchProcess; url: string }> {
  const port = await freePort();
  const child = spawn(
    process.env.REDIS_SERVER ?? 'redis-server',
    ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const { process: started } = await startProcess('redis-server', child, /Ready to accept connections/, timeoutMs);
  return { process: started, url: `redis://127.0.0.1:${port}` };
}

const runFile = promisify(execFile);

/** A Redis Cluster of memory-only masters (no replicas) on free loopback ports. */
export interface BenchRedisCluster {
  readonly processes: readonly BenchProcess[];
  readonly ports: readonly number[];
  /** `host:port,...`, as `REDIS_CLUSTER_NODES` takes it. */
  readonly seeds: string;
  /** Stops the servers and removes their cluster files. */
  stop(): Promise<void>;
}

/**
 * Starts `masters` redis-servers with `--cluster-enabled yes`, joins them with `redis-cli
 * --cluster create` (the slots split evenly), and resolves once every one reports the cluster ok.
 */
export async function startRedisCluster(masters: number, timeoutMs = 20_000): Promise<BenchRedisCluster> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-redis-cluster-'));
  const processes: BenchProcess[] = [];
  const ports: number[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const port = await freePort();
      const child = spawn(
        process.env.REDIS_SERVER ?? 'redis-server',
        // The cluster bus gets a port of its own: port + 10000 may be taken, or past 65535.
        [
          ...['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no', '--dir', dir],
          ...['--cluster-enabled', 'yes', '--cluster-config-file', join(dir, `nodes-${port}.conf`)],
          ...['--cluster-port', String(await freePort())],
        ],
        { stdio: ['ignore', 'pipe', 'pipe'] },
      );
      const { process: started } = await startProcess(`redis-shard-${i}`, child, /Ready to accept connections/, 10_000);
      processes.push(started);
      ports.push(port);
    }
    const addresses = ports.map((port) => `127.0.0.1:${port}`);
    await runFile('redis-cli', ['--cluster', 'create', ...addresses, '--cluster-replicas', '0', '--cluster-yes']);
    const deadline = Date.now() + timeoutMs;
    for (const port of ports) {
      while (!(await redisCli(port, 'CLUSTER', 'INFO')).includes('cluster_state:ok')) {
        if (Date.now() > deadline) throw new Error(`the Redis Cluster on ${addresses.join(',')} never became ok`);
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
    return { processes, ports, seeds: addresses.join(','), stop };
  } catch (error) {
    await stop();
    throw error;
  }
  async function stop(): Promise<void> {
    await Promise.all(processes.map((started) => started.stop()));
    rmSync(dir, { recursive: true, force: true });
  }
}

function redisCli(port: number, ...args: string[]): Promise<string> {
  return runFile('redis-cli', ['-p', String(port), ...args]).then(({ stdout }) => stdout);
}

/** CPU seconds (user + system) each Redis reports of itself (`INFO cpu`), summed over `ports`. */
export async function redisCpuSeconds(ports: readonly number[]): Promise<number> {
  const infos = await Promise.all(ports.map((port) => redisCli(port, 'INFO', 'cpu')));
  const field = (info: string, name: string) => Number(new RegExp(`^${name}:([\\d.]+)`, 'm').exec(info)?.[1] ?? 0);
  return infos.reduce((sum, info) => sum + field(info, 'used_cpu_sys') + field(info, 'used_cpu_user'), 0);
}
