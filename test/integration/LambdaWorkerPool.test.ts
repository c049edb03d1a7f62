import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import type { LocalWebSocketEvent } from '../../src/entrypoints/aws-local/events.js';
import { LambdaWorkerPool } from '../../src/entrypoints/aws-local/LambdaWorkerPool.js';

// A stand-in execution environment that speaks the pool's protocol: route `crash` kills it.
const WORKER = `
import { parentPort } from 'node:worker_threads';
parentPort.on('message', ({ id, routeKey }) => {
  if (routeKey === 'crash') setTimeout(() => { throw new Error('environment died'); });
  else parentPort.postMessage({ id, result: { statusCode: 200, body: routeKey } });
});
parentPort.postMessage('ready');
`;

const event = {} as LocalWebSocketEvent;

describe('LambdaWorkerPool', () => {
  let dir: string | undefined;
  let pool: LambdaWorkerPool | undefined;

  afterEach(async () => {
    await pool?.close();
    if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  });

  async function startPool(size: number) {
    dir = await mkdtemp(join(tmpdir(), 'pool-'));
    const file = join(dir, 'worker.mjs');
    await writeFile(file, WORKER);
    pool = new LambdaWorkerPool(pathToFileURL(file), size, {});
    await pool.ready;
    return pool;
  }

  describe('invoke', () => {
    it('answers from a worker', async () => {
      const workers = await startPool(2);
      expect(await workers.invoke('hello', event)).toEqual({ statusCode: 200, body: 'hello' });
    });

    it('fails only the invocation of a crashed environment, then serves from its replacement', async () => {
      const workers = await startPool(1);
      await expect(workers.invoke('crash', event)).rejects.toThrow('environment died');
      expect(await workers.invoke('after', event)).toEqual({ statusCode: 200, body: 'after' });
    });
  });
});
