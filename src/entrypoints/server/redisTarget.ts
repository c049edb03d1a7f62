import { readFileSync } from 'node:fs';
import type { RedisEndpoint, RedisTarget, RedisTls } from '../../adapters/redis/index.js';
import { booleanSetting, type Env, InvalidSettingError, stringSetting } from '../env.js';

/** Reads a file's text; the server reads certificates from disk, tests hand in their own. */
export type ReadFile = (path: string) => string;

const readText: ReadFile = (path) => readFileSync(path, 'utf8');

/**
 * Which Redis a cluster node joins, if any: `REDIS_URL` (one server; `rediss://` for TLS),
 * `REDIS_SENTINELS` with `REDIS_SENTINEL_NAME` (the master a Sentinel set names), or
 * `REDIS_CLUSTER_NODES` (a Redis Cluster). At most one of the three. TLS trust and client
 * certificate come from `REDIS_TLS_CA_FILE`, `REDIS_TLS_CERT_FILE` and `REDIS_TLS_KEY_FILE`.
 */
export function readRedisTarget(env: Env, readFile: ReadFile = readText): RedisTarget | undefined {
  const url = stringSetting(env, 'REDIS_URL', '');
  const sentinels = stringSetting(env, 'REDIS_SENTINELS', '');
  const clusterNodes = stringSetting(env, 'REDIS_CLUSTER_NODES', '');
  const chosen = [url && 'REDIS_URL', sentinels && 'REDIS_SENTINELS', clusterNodes && 'REDIS_CLUSTER_NODES'].filter(
    (name) => name !== '',
  );
  if (chosen.length > 1) {
    throw new InvalidSettingError(chosen[1] as string, env[chosen[1] as string] ?? '', `unset beside ${chosen[0]}`);
  }
  const tls = readTls(env, readFile);
  if (url !== '') {
    if (!/^rediss?:\/\//i.test(url)) throw new InvalidSettingError('REDIS_URL', url, 'a redis:// or rediss:// URL');
    const secure = /^rediss:/i.test(url);
    if (tls !== undefined && !secure) {
      throw new InvalidSettingError('REDIS_URL', url, 'a rediss:// URL, since REDIS_TLS_* files are set');
    }
    return { kind: 'single', url, ...(tls === undefined ? {} : { tls }) };
  }
  const wantsTls = booleanSetting(env, 'REDIS_TLS', tls !== undefined);
  if (sentinels !== '') {
    const name = stringSetting(env, 'REDIS_SENTINEL_NAME', '');
    if (name === '') {
      throw new InvalidSettingError('REDIS_SENTINEL_NAME', '', 'the master group name the sentinels monitor');
    }
    if (wantsTls)
      throw new InvalidSettingError(
        'REDIS_TLS',
        env.REDIS_TLS ?? 'true',
        'false: TLS through Sentinel is not supported yet',
      );
    return { kind: 'sentinel', sentinels: readEndpoints('REDIS_SENTINELS', sentinels), name };
  }
  if (clusterNodes !== '') {
    const nodes = readEndpoints('REDIS_CLUSTER_NODES', clusterNodes);
    return { kind: 'cluster', nodes, ...(wantsTls ? { tls: tls ?? {} } : {}) };
  }
  return undefined;
}

/** `host:port,host:port`: at least one, each with a port from 1 to 65535 (IPv6 hosts in brackets). */
function readEndpoints(name: string, raw: string): RedisEndpoint[] {
  const expected = 'host:port[,host:port...]';
  return raw.split(',').map((entry) => {
    const match = /^\s*(\[[^\]]+\]|[^\s:[\]]+):(\d{1,5})\s*$/.exec(entry);
    const port = Number(match?.[2]);
    if (match === null || port < 1 || port > 65535) throw new InvalidSettingError(name, raw, expected);
    return { host: (match[1] as string).replace(/^\[|\]$/g, ''), port };
  });
}

/** The PEM files the TLS settings name, read now so that a wrong path stops the start. */
function readTls(env: Env, readFile: ReadFile): RedisTls | undefined {
  const pem = (name: string): string | undefined => {
    const path = stringSetting(env, name, '');
    if (path === '') return undefined;
    try {
      return readFile(path);
    } catch (error) {
      throw new InvalidSettingError(name, path, `a readable PEM file (${(error as Error).message})`);
    }
  };
  const ca = pem('REDIS_TLS_CA_FILE');
  const cert = pem('REDIS_TLS_CERT_FILE');
  const key = pem('REDIS_TLS_KEY_FILE');
  if ((cert === undefined) !== (key === undefined)) {
    const missing = cert === undefined ? 'REDIS_TLS_CERT_FILE' : 'REDIS_TLS_KEY_FILE';
    throw new InvalidSettingError(
      missing,
      '',
      'set: a client certificate needs both REDIS_TLS_CERT_FILE and REDIS_TLS_KEY_FILE',
    );
  }
  if (ca === undefined && cert === undefined) return undefined;
  return { ...(ca === undefined ? {} : { ca }), ...(cert === undefined ? {} : { cert, key }) };
}
