import { describe, expect, it } from 'vitest';
import { readRedisTarget } from '../../../../src/entrypoints/server/redisTarget.js';

const files: Record<string, string> = { '/ca.pem': 'CA PEM', '/client.pem': 'CERT PEM', '/client.key': 'KEY PEM' };
const readFile = (path: string) => {
  const text = files[path];
  if (text === undefined) throw new Error(`ENOENT: no such file, open '${path}'`);
  return text;
};
const read = (env: Record<string, string>) => readRedisTarget(env, readFile);

describe('readRedisTarget', () => {
  it('is unset without REDIS_URL, REDIS_SENTINELS or REDIS_CLUSTER_NODES', () => {
    expect(read({})).toBeUndefined();
  });

  describe('REDIS_URL', () => {
    it('names one server in clear', () => {
      expect(read({ REDIS_URL: 'redis://10.0.0.1:6379/2' })).toEqual({
        kind: 'single',
        url: 'redis://10.0.0.1:6379/2',
      });
    });

    it('names one server over TLS, trusting the CA file and showing the client certificate', () => {
      const env = {
        REDIS_URL: 'rediss://redis.internal:6380',
        REDIS_TLS_CA_FILE: '/ca.pem',
        REDIS_TLS_CERT_FILE: '/client.pem',
        REDIS_TLS_KEY_FILE: '/client.key',
      };
      expect(read(env)).toEqual({
        kind: 'single',
        url: 'rediss://redis.internal:6380',
        tls: { ca: 'CA PEM', cert: 'CERT PEM', key: 'KEY PEM' },
      });
    });

    it('refuses TLS files beside a redis:// URL, which would ignore them', () => {
      expect(() => read({ REDIS_URL: 'redis://h:1', REDIS_TLS_CA_FILE: '/ca.pem' })).toThrow(/REDIS_URL=.*rediss:\/\//);
    });

    it('refuses a URL of another scheme', () => {
      expect(() => read({ REDIS_URL: 'http://h:1' })).toThrow(/REDIS_URL=/);
    });
  });

  describe('TLS files', () => {
    it('refuse a CA file that cannot be read, naming the setting', () => {
      expect(() => read({ REDIS_URL: 'rediss://h:1', REDIS_TLS_CA_FILE: '/missing.pem' })).toThrow(
        /REDIS_TLS_CA_FILE="\/missing.pem" is not valid: expected a readable PEM file \(ENOENT/,
      );
    });

    it('refuse a client certificate without its key', () => {
      expect(() => read({ REDIS_URL: 'rediss://h:1', REDIS_TLS_CERT_FILE: '/client.pem' })).toThrow(
        /REDIS_TLS_KEY_FILE/,
      );
    });
  });

  describe('REDIS_SENTINELS', () => {
    it('lists the sentinels and the master group', () => {
      expect(
        read({ REDIS_SENTINELS: '10.0.0.1:26379, s2.internal:26380,[::1]:26381', REDIS_SENTINEL_NAME: 'chat' }),
      ).toEqual({
        kind: 'sentinel',
        sentinels: [
          { host: '10.0.0.1', port: 26379 },
          { host: 's2.internal', port: 26380 },
          { host: '::1', port: 26381 },
        ],
        name: 'chat',
      });
    });

    it('needs REDIS_SENTINEL_NAME', () => {
      expect(() => read({ REDIS_SENTINELS: 'h:26379' })).toThrow(/REDIS_SENTINEL_NAME/);
    });

    it.each(['h', 'h:0', 'h:70000', 'h:1,,h:2', ':26379'])('refuses the malformed list %j', (list) => {
      expect(() => read({ REDIS_SENTINELS: list, REDIS_SENTINEL_NAME: 'chat' })).toThrow(/REDIS_SENTINELS=/);
    });

    it('refuses TLS, which it does not support yet', () => {
      expect(() => read({ REDIS_SENTINELS: 'h:1', REDIS_SENTINEL_NAME: 'chat', REDIS_TLS: 'true' })).toThrow(
        /REDIS_TLS=/,
      );
    });
  });

  describe('REDIS_CLUSTER_NODES', () => {
    it('lists the seed nodes, with TLS when asked', () => {
      expect(read({ REDIS_CLUSTER_NODES: 'a:7000,b:7001', REDIS_TLS: 'true' })).toEqual({
        kind: 'cluster',
        nodes: [
          { host: 'a', port: 7000 },
          { host: 'b', port: 7001 },
        ],
        tls: {},
      });
    });
  });

  it('refuses two topologies at once, naming the second', () => {
    expect(() => read({ REDIS_URL: 'redis://h:1', REDIS_SENTINELS: 'h:2', REDIS_SENTINEL_NAME: 'x' })).toThrow(
      /REDIS_SENTINELS=.*unset beside REDIS_URL/,
    );
  });
});
