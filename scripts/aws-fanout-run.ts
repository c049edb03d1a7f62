/**
 * One broadcast to many real WebSocket connections through the local API Gateway, on the
 * fan-out path: `npm run build`, then
 *
 *   ulimit -n 20000; npx tsx scripts/aws-fanout-run.ts [connections=15000] [client processes=2]
 *
 * Starts a counting dynalite, `dist/aws-local.js` on loopback (fan-out threshold and segments
 * from FANOUT_THRESHOLD / FANOUT_SEGMENTS, default 1,000 and 8), and client processes holding the
 * connections; one client sends a message to everyone and each process reports what it received.
 * Prints the time to reach all, fan-out invocations, DynamoDB reads, retries after 429 and loss.
 * The emulator's quota emulation is on at AWS's defaults (AWS_LOCAL_ACCOUNT_RPS and
 * AWS_LOCAL_ACCOUNT_BURST set the account's throttle, e.g. to what other APIs leave of it); the
 * stage's route throttling is at the account's quota (THROTTLE_RATE_LIMIT, THROTTLE_BURST_LIMIT).
 * Bounded: at most RUN_TIMEOUT_S seconds (default 300), then everything it started is stopped.
 */
import { type ChildProcess, fork, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import WebSocket from 'ws';
import { startDynalite } from '../src/entrypoints/aws-local/localDynamo.js';

/** The broadcast's text: the parent's pid, passed on to the client processes, so every process looks for the same one. */
const MARKER = `fanout-run-${process.argv[2] === 'clients' ? process.argv[6] : process.pid}`;

type Report =
  | { kind: 'connected'; count: number; refused: number }
  | { kind: 'progress'; received: number; duplicates: number; lastAt: number };

/** A client process: opens `count` connections to `url`, counts the marker message on each. */
async function clients(count: number, url: string, sends: boolean): Promise<void> {
  const sockets: WebSocket[] = [];
  let received = 0;
  let duplicates = 0;
  let lastAt = 0;
  const open = () =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url);
      let seen = false;
      socket.on('message', (data) => {
        if (data.toString() !== MARKER) return;
        if (seen) duplicates++;
        else {
          seen = true;
          received++;
          lastAt = Date.now();
        }
      });
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  // A refused upgrade (429 past the account's 500 new connections a second, or the `$connect`
  // integration failing under load) is tried again after a jittered, growing wait, as a client would.
  let refused = 0;
  const openWithRetries = async (): Promise<WebSocket> => {
    for (let attempt = 1; ; attempt++) {
      try {
        return await open();
      } catch (error) {
        refused++;
        if (attempt === 30) throw error;
        await new Promise((resolve) => setTimeout(resolve, Math.random() * Math.min(200 * attempt, 3000)));
      }
    }
  };
  for (let i = 0; i < count; i += 50) {
    sockets.push(...(await Promise.all(Array.from({ length: Math.min(50, count - i) }, openWithRetries))));
  }
  process.send?.({ kind: 'connected', count: sockets.length, refused } satisfies Report);
  process.on('message', (command: string) => {
    if (command === 'send' && sends) sockets[0]?.send(JSON.stringify({ action: 'sendMessage', data: MARKER }));
    if (command === 'exit') {
      for (const socket of sockets) socket.terminate();
      process.exit(0);
    }
  });
  setInterval(() => process.send?.({ kind: 'progress', received, duplicates, lastAt } satisfies Report), 250);
}

async function main(): Promise<void> {
  const total = Number(process.argv[2] ?? 15_000);
  const processes = Number(process.argv[3] ?? 2);
  const timeoutS = Number(process.env.RUN_TIMEOUT_S ?? 300);
  const children: ChildProcess[] = [];
  const dynamo = await startDynalite();
  const requests = new Map<string, number>();
  dynamo.server.on('request', (request) => {
    const target = String(request.headers['x-amz-target'] ?? '');
    const action = target.slice(target.indexOf('.') + 1);
    requests.set(action, (requests.get(action) ?? 0) + 1);
  });
  const emulator = spawn(process.execPath, ['dist/aws-local.js'], {
    env: {
      ...process.env,
      PORT: '0',
      DYNAMODB_ENDPOINT: dynamo.endpoint,
      FANOUT_THRESHOLD: process.env.FANOUT_THRESHOLD ?? '1000',
      FANOUT_SEGMENTS: process.env.FANOUT_SEGMENTS ?? '8',
      LAMBDA_WORKERS: process.env.LAMBDA_WORKERS ?? '4',
      RATE_LIMIT_PER_S: '0',
      // A stage deployed for a large audience: its route throttling at the account's quota (the
      // most it may be), else 15,000 upgrades would take 150 s at the stack's default 100 a second.
      THROTTLE_RATE_LIMIT: process.env.THROTTLE_RATE_LIMIT ?? '10000',
      THROTTLE_BURST_LIMIT: process.env.THROTTLE_BURST_LIMIT ?? '5000',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = async (code: number) => {
    for (const child of children) child.kill('SIGKILL');
    emulator.kill('SIGKILL');
    await dynamo.close();
    process.exit(code);
  };
  setTimeout(() => {
    process.stderr.write(`gave up after ${timeoutS} s\n`);
    void stop(1);
  }, timeoutS * 1000).unref();

  const fanout = { invocations: 0, handedOn: 0, delivered: 0, unreached: 0, throttledRetries: 0, failedRetries: 0 };
  const errors = new Map<string, number>();
  createInterface({ input: emulator.stderr }).on('line', (line) => {
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line);
    } catch {
      return;
    }
    if (entry.event === 'fanout.part') {
      fanout.invocations++;
      if (entry.handedOn) fanout.handedOn++;
      for (const key of ['delivered', 'unreached', 'throttledRetries', 'failedRetries'] as const) {
        fanout[key] += Number(entry[key] ?? 0);
      }
    } else if (process.env.RUN_VERBOSE) process.stderr.write(`${line}\n`);
    if (entry.level === 'error') errors.set(String(entry.event), (errors.get(String(entry.event)) ?? 0) + 1);
  });
  const url = await new Promise<string>((resolve) => {
    createInterface({ input: emulator.stdout }).on('line', (line) => {
      const found = /ws:\/\/\S+/.exec(line);
      if (found) resolve(found[0]);
    });
  });

  const started = Date.now();
  let refusedUpgrades = 0;
  const progress = new Map<ChildProcess, Extract<Report, { kind: 'progress' }>>();
  const connected = await Promise.all(
    Array.from({ length: processes }, (_, index) => {
      const share = Math.floor(total / processes) + (index < total % processes ? 1 : 0);
      const child = fork(
        fileURLToPath(import.meta.url),
        ['clients', String(share), url, String(index === 0), String(process.pid)],
        {
          execArgv: ['--import', 'tsx'],
        },
      );
      children.push(child);
      return new Promise<number>((resolve) => {
        child.on('message', (report: Report) => {
          if (report.kind === 'connected') {
            refusedUpgrades += report.refused;
            resolve(report.count);
          } else progress.set(child, report);
        });
      });
    }),
  );
  const connectSeconds = (Date.now() - started) / 1000;
  process.stdout.write(
    `${connected.reduce((a, b) => a + b, 0)} connections open in ${connectSeconds.toFixed(1)} s (${refusedUpgrades} upgrades refused and tried again)\n`,
  );

  requests.clear();
  const sentAt = Date.now();
  children[0]?.send('send');
  const sum = (key: 'received' | 'duplicates') => [...progress.values()].reduce((n, report) => n + report[key], 0);
  // Until everyone has it, or nothing more has arrived for a minute, or the time bound is near.
  let lastCount = 0;
  let lastChange = Date.now();
  while (sum('received') < total && Date.now() - sentAt < (timeoutS - connectSeconds - 10) * 1000) {
    await new Promise((resolve) => setTimeout(resolve, 250));
    if (sum('received') !== lastCount) {
      lastCount = sum('received');
      lastChange = Date.now();
    } else if (Date.now() - lastChange > 60_000) break;
  }
  // Time for a late duplicate, or a last straggler, to show up.
  await new Promise((resolve) => setTimeout(resolve, 3000));
  const lastAt = Math.max(...[...progress.values()].map((report) => report.lastAt));
  const received = sum('received');
  const reads = (requests.get('Scan') ?? 0) + (requests.get('Query') ?? 0) + (requests.get('GetItem') ?? 0);
  const result = {
    // AWS's defaults unless set: 10,000 requests a second with a bucket of 5,000, shared by the
    // client messages and every @connections call; 500 new connections a second.
    accountQuota: {
      rps: Number(process.env.AWS_LOCAL_ACCOUNT_RPS ?? 10_000),
      burst: Number(process.env.AWS_LOCAL_ACCOUNT_BURST ?? 5_000),
    },
    newConnectionsPerSecond: Number(process.env.AWS_LOCAL_NEW_CONNECTIONS_PER_S ?? 500),
    connections: total,
    reached: received,
    lost: total - received,
    duplicates: sum('duplicates'),
    reachAllSeconds: received === total ? (lastAt - sentAt) / 1000 : null,
    fanoutInvocations: fanout.invocations,
    continuations: fanout.handedOn,
    deliveredByFanout: fanout.delivered,
    unreached: fanout.unreached,
    retriedAfter429: fanout.throttledRetries,
    retriedAfter5xx: fanout.failedRetries,
    dynamoDbReads: reads,
    dynamoDbRequests: Object.fromEntries(requests),
    errorsLogged: Object.fromEntries(errors),
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  for (const child of children) child.send('exit');
  await new Promise((resolve) => setTimeout(resolve, 500));
  await stop(result.lost === 0 && result.duplicates === 0 ? 0 : 1);
}

if (process.argv[2] === 'clients') {
  await clients(Number(process.argv[3]), process.argv[4] as string, process.argv[5] === 'true');
} else {
  await main();
}
