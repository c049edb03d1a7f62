import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTlsRedis, type TlsRedis } from '../../support/redisTopologies.js';

const server = fileURLToPath(new URL('../../../dist/server.js', import.meta.url));

let redis: TlsRedis;
beforeAll(async () => {
  redis = await startTlsRedis();
});
afterAll(async () => {
  await redis?.stop();
});

/** Runs the server until it exits by itself; resolves with its exit code and what it wrote. */
function runServer(env: Record<string, string>): Promise<{ code: number | null; lines: string[] }> {
  const child = spawn(process.execPath, [server], {
    env: { ...process.env, HOST: '127.0.0.1', PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
  return new Promise((resolve) =>
    child.once('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, lines: output.split('\n').filter((line) => line !== '') });
    }),
  );
}

describe('server on a TLS Redis', () => {
  it('refuses to start when the CA does not vouch for the certificate: one structured line, exit 1', async () => {
    const { code, lines } = await runServer({ REDIS_URL: redis.url, REDIS_TLS_CA_FILE: redis.files.otherCa });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    const line = JSON.parse(lines[0] as string);
    expect(line).toMatchObject({ level: 'error', event: 'startup.failed', code: 'REDIS_UNAVAILABLE' });
    expect(line.message).toContain(
      `Redis at ${redis.url} is unreachable: TLS: the server's certificate is not trusted`,
    );
  });

  it('refuses to start when the CA file cannot be read, naming the setting', async () => {
    const { code, lines } = await runServer({
      REDIS_URL: redis.url,
      REDIS_TLS_CA_FILE: `${redis.files.dir}/missing.pem`,
    });
    expect(code).toBe(1);
    expect(lines).toHaveLength(1);
    expect(JSON.parse(lines[0] as string)).toMatchObject({ event: 'startup.failed', code: 'INVALID_SETTING' });
    expect(lines[0]).toContain('REDIS_TLS_CA_FILE');
  });

  it('refuses plain text on the TLS port: a redis:// URL there does not start either', async () => {
    const { code, lines } = await runServer({ REDIS_URL: redis.url.replace('rediss:', 'redis:') });
    expect(code).toBe(1);
    expect(JSON.parse(lines.at(-1) as string)).toMatchObject({ event: 'startup.failed', code: 'REDIS_UNAVAILABLE' });
  });
});
