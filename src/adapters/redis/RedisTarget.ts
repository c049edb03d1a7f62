import type { ConnectionOptions } from 'node:tls';

/** One Redis (or Sentinel) server's address. */
export interface RedisEndpoint {
  readonly host: string;
  readonly port: number;
}

/** What a TLS link to Redis trusts and shows, as PEM text; unset: Node's default trust store. */
export interface RedisTls {
  /** Certificate authorities the server's certificate must chain to. */
  readonly ca?: string;
  /** Client certificate and key, for a Redis that asks clients for one. */
  readonly cert?: string;
  readonly key?: string;
}

/**
 * Where a cluster node finds its Redis: one server by URL (`rediss://` for TLS), a master found
 * through Sentinel and followed across failovers, or a Redis Cluster by some of its nodes.
 */
export type RedisTarget =
  | { readonly kind: 'single'; readonly url: string; readonly tls?: RedisTls }
  | {
      readonly kind: 'sentinel';
      readonly sentinels: readonly RedisEndpoint[];
      /** The master group's name, as the sentinels monitor it. */
      readonly name: string;
      readonly tls?: RedisTls;
    }
  | { readonly kind: 'cluster'; readonly nodes: readonly RedisEndpoint[]; readonly tls?: RedisTls };

/** A string is a single Redis's URL: `redis://` in clear, `rediss://` over TLS. */
export function toRedisTarget(target: RedisTarget | string): RedisTarget {
  return typeof target === 'string' ? { kind: 'single', url: target } : target;
}

/** For log lines and errors: where, without credentials. */
export function describeRedisTarget(target: RedisTarget): string {
  const list = (endpoints: readonly RedisEndpoint[]) => endpoints.map(({ host, port }) => `${host}:${port}`).join(',');
  switch (target.kind) {
    case 'single':
      return target.url.replace(/\/\/[^@/]*@/, '//***@');
    case 'sentinel':
      return `master ${target.name} of sentinels ${list(target.sentinels)}`;
    case 'cluster':
      return `cluster of ${list(target.nodes)}`;
  }
}

/** Node's TLS options for `tls`: a link whose certificate must check out, never an unchecked one. */
export function tlsOptions(tls: RedisTls): ConnectionOptions {
  return {
    ...(tls.ca === undefined ? {} : { ca: tls.ca }),
    ...(tls.cert === undefined ? {} : { cert: tls.cert }),
    ...(tls.key === undefined ? {} : { key: tls.key }),
    rejectUnauthorized: true,
  };
}
