/**
 * The CPU cost of one signed `postToConnection`, as a Lambda pays it: the real SDK client
 * (SigV4 signing, serialization, a keep-alive socket) posting to a loopback endpoint that runs in
 * another process, so that this process's CPU time is the client's alone.
 *
 *   npx tsx scripts/post-cost-bench.ts [posts=5000] [concurrency=16]
 *
 * Bounded: the posts given (at most 50,000), after a warm-up of 500.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { PostToConnectionCommand } from '@aws-sdk/client-apigatewaymanagementapi';
import { createApiGatewayClient } from '../src/adapters/apigateway/index.js';

const posts = Math.min(Number(process.argv[2] ?? 5000), 50_000);
const concurrency = Number(process.argv[3] ?? 16);

const ENDPOINT_CODE = `
const server = require('node:http').createServer((request, response) => {
  request.resume();
  request.on('end', () => response.writeHead(200, { 'content-type': 'application/json' }).end());
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
`;

const endpoint = spawn(process.execPath, ['-e', ENDPOINT_CODE], { stdio: ['ignore', 'pipe', 'inherit'] });
const port = await new Promise<string>((resolve) => createInterface({ input: endpoint.stdout }).once('line', resolve));
const client = createApiGatewayClient(`http://127.0.0.1:${port}/bench`, {
  region: 'us-east-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' },
  maxSockets: concurrency,
});
const frame = 'a chat message of an ordinary length, some sixty bytes long..';

async function run(count: number): Promise<void> {
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const id = `conn${next++}AbCdE=`;
      await client.send(new PostToConnectionCommand({ ConnectionId: id, Data: frame }));
    }
  };
  await Promise.all(Array.from({ length: concurrency }, lane));
}

await run(500);
const cpu = process.cpuUsage();
const started = performance.now();
await run(posts);
const used = process.cpuUsage(cpu);
const wallMs = performance.now() - started;
const cpuMsPerPost = (used.user + used.system) / 1000 / posts;
process.stdout.write(
  `${JSON.stringify({
    posts,
    concurrency,
    cpuMsPerPost: Number(cpuMsPerPost.toFixed(3)),
    postsPerCpuSecond: Math.round(1000 / cpuMsPerPost),
    wallSeconds: Number((wallMs / 1000).toFixed(2)),
  })}\n`,
);
client.destroy();
endpoint.kill();
