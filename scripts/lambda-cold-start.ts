import { execFile } from 'node:child_process';
import { mkdir, rm, stat } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs, promisify } from 'node:util';
import { build, type Plugin } from 'esbuild';
import { ensureChatTables } from '../src/adapters/dynamodb/index.js';
import { LOCAL_CREDENTIALS, localDynamoDbClient, startDynalite } from '../src/entrypoints/aws-local/localDynamo.js';

/**
 * What Powertools (logger and metrics) adds to a Lambda cold start. The message handler is
 * bundled twice as the stack bundles it (minified, SDK v3 left to the runtime): as it is, and
 * with both Powertools packages replaced by do-nothing stand-ins. Each run is a fresh node
 * process, as a new execution environment is: it imports the bundle and handles one sendMessage
 * (one DynamoDB page, one post) against a local dynalite and a local stage. The two variants
 * alternate, so that whatever else loads the machine weighs on both alike.
 *
 *   npx tsx scripts/lambda-cold-start.ts [--runs 20]
 */
const { values } = parseArgs({ options: { runs: { type: 'string', default: '20' } } });
const runs = Number(values.runs);
if (!Number.isInteger(runs) || runs < 1 || runs > 100) {
  process.stderr.write('usage: npx tsx scripts/lambda-cold-start.ts [--runs 1..100]\n');
  process.exit(2);
}
/** A run that takes longer than this is broken, not slow. */
const RUN_TIMEOUT_MS = 30_000;

const outDir = fileURLToPath(new URL('../dist/cold-start/', import.meta.url));

/** Powertools' API as far as the handlers use it, doing nothing. */
const standIns: Plugin = {
  name: 'powertools-stand-ins',
  setup(plugin) {
    plugin.onResolve({ filter: /^@aws-lambda-powertools\/(logger|metrics)$/ }, (args) => ({
      path: args.path,
      namespace: 'stand-in',
    }));
    plugin.onLoad({ filter: /.*/, namespace: 'stand-in' }, () => ({
      contents: `
        export class Logger { addContext() {} debug() {} info() {} warn() {} error() {} }
        export class Metrics { addMetric() {} addMetadata() {} hasStoredMetrics() { return false; } publishStoredMetrics() {} }
        export const MetricUnit = { Count: 'Count', Milliseconds: 'Milliseconds' };`,
      loader: 'js',
    }));
  },
};

/** Bundles the message handler to `dist/cold-start/<name>.mjs`; returns its path and size. */
async function bundle(name: string, plugins: Plugin[]): Promise<{ path: string; bytes: number }> {
  const path = `${outDir}${name}.mjs`;
  await build({
    entryPoints: ['src/entrypoints/lambda/message.ts'],
    outfile: path,
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'esm',
    external: ['@aws-sdk/*'],
    minify: true,
    keepNames: true,
    plugins,
    logLevel: 'warning',
  });
  return { path, bytes: (await stat(path)).size };
}

/**
 * One execution environment: times (from the process's own start, node's boot included) the
 * import of the bundle and the end of its first invocation, and prints both as JSON.
 */
const probe = `
const imported = performance.now();
const { handler } = await import(process.argv[1]);
const ready = performance.now();
const result = await handler(JSON.parse(process.argv[2]), {
  awsRequestId: 'cold-start', functionName: 'message', functionVersion: '$LATEST',
  invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:message', memoryLimitInMB: '512',
  getRemainingTimeInMillis: () => 10000,
});
if (result.statusCode !== 200) throw new Error('handler answered ' + result.statusCode);
const done = performance.now();
process.stderr.write(JSON.stringify({ boot: imported, load: ready - imported, firstInvoke: done - ready, total: done }) + '\\n');`;

interface Timing {
  readonly boot: number;
  readonly load: number;
  readonly firstInvoke: number;
  readonly total: number;
}

// This process's own SDK client (it creates the tables) would warn on Node 20.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const dynamo = await startDynalite();
const stage = createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200).end());
});
await new Promise<void>((resolve) => stage.listen(0, '127.0.0.1', resolve));
try {
  const tables = { connections: 'cold-start-connections', rooms: 'cold-start-rooms' };
  const client = localDynamoDbClient(dynamo.endpoint);
  await ensureChatTables(client, tables);
  client.destroy();
  await mkdir(outDir, { recursive: true });
  const variants = {
    'with Powertools': await bundle('with-powertools', []),
    'without Powertools': await bundle('without-powertools', [standIns]),
  };
  const event = JSON.stringify({
    requestContext: {
      routeKey: 'sendMessage',
      eventType: 'MESSAGE',
      connectionId: 'coldStartAAAAA=',
      domainName: '127.0.0.1',
      stage: 'production',
      apiId: 'local',
      requestId: 'cold-start',
    },
    body: '{"action":"sendMessage","data":"cold start"}',
    isBase64Encoded: false,
  });
  const env = {
    PATH: process.env.PATH,
    CONNECTIONS_TABLE: tables.connections,
    ROOMS_TABLE: tables.rooms,
    DYNAMODB_ENDPOINT: dynamo.endpoint,
    APIGW_MANAGEMENT_ENDPOINT: `http://127.0.0.1:${(stage.address() as AddressInfo).port}/production`,
    AWS_REGION: 'local',
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
  };
  const timings = new Map<string, Timing[]>(Object.keys(variants).map((name) => [name, []]));
  for (let run = 0; run < runs; run++) {
    const order = run % 2 === 0 ? Object.entries(variants) : Object.entries(variants).reverse();
    for (const [name, { path }] of order) {
      const { stderr } = await promisify(execFile)(
        process.execPath,
        ['--input-type=module', '-e', probe, pathToFileURL(path).href, event],
        { env, timeout: RUN_TIMEOUT_MS },
      );
      const line = stderr.trim().split('\n').at(-1) ?? '';
      timings.get(name)?.push(JSON.parse(line) as Timing);
    }
    process.stderr.write(`\rrun ${run + 1}/${runs}`);
  }
  process.stderr.write('\n');
  report(variants, timings);
} finally {
  stage.close();
  await dynamo.close();
  await rm(outDir, { recursive: true, force: true });
}

/** The value under which `fraction` of `values` lie (nearest rank). */
function quantile(values: readonly number[], fraction: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? Number.NaN;
}

function report(variants: Record<string, { bytes: number }>, timings: Map<string, Timing[]>): void {
  const ms = (value: number) => value.toFixed(1).padStart(7);
  const rows = [
    `node ${process.version}, ${runs} fresh processes per variant; ms from process start, median / p90`,
    '',
    '| variant | bundle (min) | node boot | import | first invoke | total |',
    '|---|---:|---:|---:|---:|---:|',
  ];
  const medians: Record<string, number> = {};
  for (const [name, list] of timings) {
    const cell = (pick: (timing: Timing) => number) =>
      `${ms(quantile(list.map(pick), 0.5))} / ${ms(quantile(list.map(pick), 0.9))}`;
    medians[name] = quantile(
      list.map((timing) => timing.load + timing.firstInvoke),
      0.5,
    );
    rows.push(
      `| ${name} | ${((variants[name]?.bytes ?? 0) / 1024).toFixed(1)} KiB | ${cell((t) => t.boot)} | ` +
        `${cell((t) => t.load)} | ${cell((t) => t.firstInvoke)} | ${cell((t) => t.total)} |`,
    );
  }
  const added = (medians['with Powertools'] ?? 0) - (medians['without Powertools'] ?? 0);
  rows.push('', `Powertools adds ${added.toFixed(1)} ms (median import + first invoke) to a cold start.`);
  process.stdout.write(`${rows.join('\n')}\n`);
}
