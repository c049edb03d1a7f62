import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalWebSocketEvent } from '../../src/entrypoints/aws-local/events.js';
import {
  InvocationTimedOutError,
  type LambdaFunctionOptions,
  LambdaWorkerPool,
} from '../../src/entrypoints/aws-local/LambdaWorkerPool.js';
import { delay } from '../support/ChatClient.js';

// A stand-in execution environment that speaks the pool's protocol. `crash` kills it; `late`
// answers nothing and writes the file named in its body after 300 ms; `slow` answers after
// 100 ms; `whoami` answers with its function's variables.
const WORKER = `
import { writeFileSync } from 'node:fs';
import { parentPort, workerData, threadId } from 'node:worker_threads';
parentPort.on('message', ({ id, routeKey, event }) => {
  const answer = (body) => parentPort.postMessage({ id, result: { statusCode: 200, body } });
  if (routeKey === 'crash') setTimeout(() => { throw new Error('environment died'); });
  else if (routeKey === 'late') setTimeout(() => writeFileSync(event.body, 'ran on'), 300);
  else if (routeKey === 'slow') setTimeout(() => answer(String(threadId)), 100);
  else if (routeKey === 'whoami') answer(JSON.stringify({ key: process.env.AWS_ACCESS_KEY_ID, ...workerData }));
  else answer(routeKey);
});
parentPort.postMessage('ready');
`;

const event = {} as LocalWebSocketEvent;

describe('LambdaWorkerPool', () => {
  let dir: string | undefined;
  const pools: LambdaWorkerPool[] = [];

  afterEach(async () => {
    await Promise.all(pools.splice(0).map((pool) => pool.close()));
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
    dir = undefined;
  });

  async function startPool(options: Partial<LambdaFunctionOptions> = {}) {
    dir ??= await mkdtemp(join(tmpdir(), 'pool-'));
    const file = join(dir, 'worker.mjs');
    await writeFile(file, WORKER);
    const pool = new LambdaWorkerPool(pathToFileURL(file), {
      functionName: 'test-function',
      routes: {},
      memoryMb: 256,
      timeoutSeconds: 10,
      maxEnvironments: 2,
      ...options,
    });
    pools.push(pool);
    return pool;
  }

  describe('invoke', () => {
    it('answers from a worker', async () => {
      const pool = await startPool();
      expect(await pool.invoke('hello', event)).toEqual({ statusCode: 200, body: 'hello' });
    });

    it('fails only the invocation of a crashed environment, then serves from a new one', async () => {
      const pool = await startPool({ maxEnvironments: 1 });
      await expect(pool.invoke('crash', event)).rejects.toThrow('environment died');
      expect(await pool.invoke('after', event)).toEqual({ statusCode: 200, body: 'after' });
    });

    it('starts an environment only when the others are busy, up to the maximum', async () => {
      const pool = await startPool({ maxEnvironments: 3 });
      await pool.invoke('warm', event);
      expect(pool.stats.coldStarts).toBe(1);
      const answers = await Promise.all(Array.from({ length: 12 }, () => pool.invoke('slow', event)));
      expect(pool.stats.coldStarts).toBe(3);
      expect(new Set(answers.map((answer) => (answer as { body: string }).body)).size).toBe(3);
    });

    it('gives each function its own variables (its credentials), timeout and memory', async () => {
      const [a, b] = [
        await startPool({ functionName: 'a', env: { AWS_ACCESS_KEY_ID: 'KEYA' }, timeoutSeconds: 60 }),
        await startPool({ functionName: 'b', env: { AWS_ACCESS_KEY_ID: 'KEYB' }, memoryMb: 512 }),
      ];
      const whoami = async (pool: LambdaWorkerPool) =>
        JSON.parse(((await pool.invoke('whoami', event)) as { body: string }).body);
      expect(await whoami(a)).toMatchObject({ key: 'KEYA', functionName: 'a', timeoutMs: 60_000, memoryMb: 256 });
      expect(await whoami(b)).toMatchObject({ key: 'KEYB', functionName: 'b', timeoutMs: 10_000, memoryMb: 512 });
    });
  });

  describe('timeout', () => {
    it('fails an invocation past the function timeout, as Lambda does, and stops its work there', async () => {
      const pool = await startPool({ timeoutSeconds: 0.1, maxEnvironments: 1 });
      const marker = join(dir as string, 'late-work');
      const late = pool.invoke('late', { body: marker } as LocalWebSocketEvent);
      await expect(late).rejects.toBeInstanceOf(InvocationTimedOutError);
      await expect(late).rejects.toThrow('Task timed out after 0.10 seconds');
      await delay(600);
      // The environment was ended at the timeout: the write due 300 ms in never happened.
      expect(existsSync(marker)).toBe(false);
      expect(pool.stats.timeouts).toBe(1);
      // The next invocation gets a fresh environment.
      expect(await pool.invoke('next', event)).toEqual({ statusCode: 200, body: 'next' });
      expect(pool.stats.coldStarts).toBe(2);
    });
  });
});
