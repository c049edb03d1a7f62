import { execFile, spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { Redis } from 'ioredis';
import { eventually } from './ChatClient.js';
import { freePort, testClient } from './redis.js';

const run = promisify(execFile);

/** A server process a fixture started on loopback, stopped by its pid. */
interface ServerProcess {
  readonly port: number;
  /** Kills it (`SIGKILL`: a crash, not a shutdown) and waits for its exit. */
  kill(signal?: NodeJS.Signals): Promise<void>;
}

/** Starts `redis-server` with `args` and resolves once its log says `ready` (a failure to start rejects with the log). */
async function startServer(args: readonly string[], port: number, ready: RegExp): Promise<ServerProcess> {
  const child = spawn('redis-server', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`redis-server ${args.join(' ')} not ready:\n${output}`)), 15_000);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (!ready.test(output)) return;
      clearTimeout(timer);
      resolve();
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('error', (error) => reject(new Error(`cannot start redis-server (install it): ${error.message}`)));
    void exited.then(() => reject(new Error(`redis-server exited:\n${output}`)));
  });
  return {
    port,
    async kill(signal = 'SIGKILL') {
      if (child.exitCode === null && child.signalCode === null) child.kill(signal);
      await exited;
    },
  };
}

const dataServer = (port: number) => [
  '--port',
  String(port),
  '--bind',
  '127.0.0.1',
  '--save',
  '',
  '--appendonly',
  'no',
];

/** 1 master, 1 replica and 3 sentinels on loopback, watching the master group `name`. */
export interface SentinelSet {
  readonly name: string;
  /** The chat's settings to reach the set through its sentinels. */
  readonly env: Record<string, string>;
  /** The current master's URL, as the sentinels name it. */
  masterUrl(): Promise<string>;
  /** Kills the current master (`SIGKILL`) and resolves with its former port. */
  killMaster(): Promise<number>;
  /** Resolves once the sentinels name a master other than `formerPort` and it accepts writes. */
  failedOver(formerPort: number, timeoutMs?: number): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts the set and resolves once every sentinel knows the replica and the other two sentinels,
 * so that a killed master is failed over. Down after 1 s, so failovers take a few seconds.
 */
export async function startSentinelSet(name = 'chat'): Promise<SentinelSet> {
  const dir = await mkdtemp(join(tmpdir(), 'sentinel-'));
  const servers: ServerProcess[] = [];
  const admins: Redis[] = [];
  const stop = async () => {
    for (const admin of admins) admin.disconnect();
    await Promise.all(servers.map((server) => server.kill()));
    await rm(dir, { recursive: true, force: true });
  };
  try {
    const [masterPort, replicaPort] = [await freePort(), await freePort()];
    // Diskless sync without its default 5 s wait: the replica is in sync at once.
    const sync = ['--repl-diskless-sync', 'yes', '--repl-diskless-sync-delay', '0'];
    servers.push(await startServer([...dataServer(masterPort), ...sync], masterPort, /Ready to accept/));
    servers.push(
      await startServer(
        [...dataServer(replicaPort), ...sync, '--replicaof', '127.0.0.1', String(masterPort)],
        replicaPort,
        /Ready to accept/,
      ),
    );
    const replica = testClient(`redis://127.0.0.1:${replicaPort}`);
    admins.push(replica);
    await eventually(async () => /master_link_status:up/.test(await replica.info('replication')), 10_000);
    const sentinelPorts: number[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      const file = join(dir, `sentinel-${port}.conf`);
      await writeFile(
        file,
        [
          `port ${port}`,
          'bind 127.0.0.1',
          `dir ${dir}`,
          `sentinel monitor ${name} 127.0.0.1 ${masterPort} 2`,
          `sentinel down-after-milliseconds ${name} 1000`,
          `sentinel failover-timeout ${name} 5000`,
          '',
        ].join('\n'),
      );
      servers.push(await startServer([file, '--sentinel'], port, /Sentinel ID is/));
      sentinelPorts.push(port);
    }
    const sentinels = sentinelPorts.map((port) => testClient(`redis://127.0.0.1:${port}`));
    admins.push(...sentinels);
    for (const sentinel of sentinels) {
      await eventually(async () => {
        const [replicas, peers] = await Promise.all([
          sentinel.call('SENTINEL', 'REPLICAS', name) as Promise<unknown[]>,
          sentinel.call('SENTINEL', 'SENTINELS', name) as Promise<unknown[]>,
        ]);
        return replicas.length === 1 && peers.length === 2;
      }, 20_000);
    }
    const [asked] = sentinels as [Redis, ...Redis[]];
    const masterUrl = async () => {
      const [host, port] = (await asked.call('SENTINEL', 'GET-MASTER-ADDR-BY-NAME', name)) as string[];
      return `redis://${host}:${port}`;
    };
    return {
      name,
      env: {
        REDIS_SENTINELS: sentinelPorts.map((port) => `127.0.0.1:${port}`).join(','),
        REDIS_SENTINEL_NAME: name,
      },
      masterUrl,
      async killMaster() {
        const port = Number(new URL(await masterUrl()).port);
        await servers.find((server) => server.port === port)?.kill();
        return port;
      },
      async failedOver(formerPort, timeoutMs = 20_000) {
        await eventually(async () => Number(new URL(await masterUrl()).port) !== formerPort, timeoutMs);
        const url = await masterUrl();
        const master = testClient(url);
        try {
          await eventually(async () => /role:master/.test(await master.info('replication')), timeoutMs);
        } finally {
          master.disconnect();
        }
        return url;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** Certificates made with openssl for a TLS Redis on 127.0.0.1, and a second CA that did not sign them. */
export interface TlsFiles {
  readonly dir: string;
  readonly ca: string;
  readonly otherCa: string;
  readonly cert: string;
  readonly key: string;
}

/** Makes a CA, a server certificate for 127.0.0.1 signed by it, and an unrelated CA, in a fresh temp dir. */
export async function makeTlsFiles(): Promise<TlsFiles> {
  const dir = await mkdtemp(join(tmpdir(), 'redis-tls-'));
  const file = (name: string) => join(dir, name);
  const openssl = (...args: string[]) => run('openssl', args, { cwd: dir });
  const newCa = (name: string) =>
    openssl(
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-days',
      '1',
      '-subj',
      `/CN=${name}`,
      '-keyout',
      file(`${name}.key`),
      '-out',
      file(`${name}.crt`),
    );
  await Promise.all([newCa('ca'), newCa('other-ca')]);
  await openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-subj',
    '/CN=127.0.0.1',
    '-keyout',
    file('server.key'),
    '-out',
    file('server.csr'),
  );
  await writeFile(file('server.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  await openssl(
    'x509',
    '-req',
    '-days',
    '1',
    '-in',
    file('server.csr'),
    '-CA',
    file('ca.crt'),
    '-CAkey',
    file('ca.key'),
    '-CAcreateserial',
    '-extfile',
    file('server.ext'),
    '-out',
    file('server.crt'),
  );
  return { dir, ca: file('ca.crt'), otherCa: file('other-ca.crt'), cert: file('server.crt'), key: file('server.key') };
}

/** A redis-server that speaks TLS on one port, and plain text on another for the tests' own checks. */
export interface TlsRedis {
  /** `rediss://127.0.0.1:<tls port>`. */
  readonly url: string;
  /** The same server in clear text, for assertions and clean-up. */
  readonly plainUrl: string;
  readonly files: TlsFiles;
  stop(): Promise<void>;
}

/** Starts a TLS redis-server with certificates made for it; clients need not show one. */
export async function startTlsRedis(): Promise<TlsRedis> {
  const files = await makeTlsFiles();
  const [port, tlsPort] = [await freePort(), await freePort()];
  const server = await startServer(
    [
      ...dataServer(port),
      ...['--tls-port', String(tlsPort), '--tls-cert-file', files.cert, '--tls-key-file', files.key],
      ...['--tls-ca-cert-file', files.ca, '--tls-auth-clients', 'no'],
    ],
    port,
    /Ready to accept/,
  );
  return {
    url: `rediss://127.0.0.1:${tlsPort}`,
    plainUrl: `redis://127.0.0.1:${port}`,
    files,
    async stop() {
      await server.kill('SIGTERM');
      await rm(files.dir, { recursive: true, force: true });
    },
  };
}
