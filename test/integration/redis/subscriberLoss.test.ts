import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ChatClient, delay, eventually } from '../../support/ChatClient.js';
import { startChatCluster } from '../../support/chatCluster.js';
import { type SpawnedRedis, spawnRedisServer, testClient } from '../../support/redis.js';

const RUNS = 10;
const SENDERS = 2;
const RECEIVERS = 3;
const SEND_EVERY_MS = 5;
const TRAFFIC_MS = 1500;

// A redis-server of its own: the test kills its clients' links.
let redis: SpawnedRedis;
beforeAll(async () => {
  redis = await spawnRedisServer();
});
afterAll(async () => {
  await redis?.kill();
});

interface Tally {
  sent: number;
  deliveries: number;
  silentlyLost: number;
  announcedLost: number;
  duplicated: number;
  outOfOrder: number;
  /** Runs in which the node saw its subscriber link go down. */
  linksDropped: number;
  /** Messages the node took from the room's stored history to fill what pub/sub missed. */
  recoveredFromHistory: number;
}

/** The id of the node behind a process, from its `cluster.joined` log line. */
function nodeIdIn(output: string): string {
  const match = /"event":"cluster\.joined","nodeId":"([^"]+)"/.exec(output);
  if (match === null) throw new Error(`no cluster.joined line in:\n${output}`);
  return match[1] as string;
}

/** Drops the subscriber link of one node (Redis closes it; the node's publisher link stays up). */
async function dropSubscriberOf(admin: ReturnType<typeof testClient>, nodeId: string): Promise<void> {
  const list = (await admin.call('CLIENT', 'LIST', 'TYPE', 'pubsub')) as string;
  const line = list.split('\n').find((entry) => entry.includes(`name=chat-subscriber-${nodeId}`));
  const id = line === undefined ? undefined : /(?:^|\s)id=(\d+)/.exec(line)?.[1];
  if (id === undefined) throw new Error(`no subscriber link of node ${nodeId} in:\n${list}`);
  await admin.call('CLIENT', 'KILL', 'ID', id);
}

type MessageEvent = { type: 'message'; id: string; room: string | null; data: string };

/**
 * Issue 13's cluster fault: a node's subscriber link drops while its publisher stays up and
 * traffic flows. Its clients must end with every message, once, in room order, or be told
 * which were lost; never miss one silently. Ten runs, each on a fresh pair of nodes.
 */
describe('a cluster node whose subscriber link drops under traffic', () => {
  it(`gives its clients every message, in order, or says what was lost: ${RUNS} runs`, async () => {
    const admin = testClient(redis.url);
    const tally: Tally = {
      sent: 0,
      deliveries: 0,
      silentlyLost: 0,
      announcedLost: 0,
      duplicated: 0,
      outOfOrder: 0,
      linksDropped: 0,
      recoveredFromHistory: 0,
    };
    try {
      for (let run = 0; run < RUNS; run++) {
        const cluster = await startChatCluster(redis.url, {
          nodes: 2,
          env: { RATE_LIMIT_PER_S: '0', MAX_CONNECTIONS_PER_IP: '0' },
        });
        const clients: ChatClient[] = [];
        try {
          const [urlA, urlB] = cluster.urls as [string, string];
          const connect = async (url: string, count: number) => {
            const made = await Promise.all(
              Array.from({ length: count }, () => ChatClient.connect(`${url}?format=json`)),
            );
            clients.push(...made);
            return made;
          };
          const senders = await connect(urlA, SENDERS);
          const receivers = await connect(urlB, RECEIVERS);
          for (const client of [...senders, ...receivers]) {
            client.send(JSON.stringify({ action: 'joinRoom', room: 'busy' }));
          }
          await eventually(() => clients.every((client) => client.frames.some((frame) => frame.includes('"joined"'))));

          const sent: string[] = [];
          const started = Date.now();
          let dropped = false;
          while (Date.now() - started < TRAFFIC_MS) {
            for (const [index, sender] of senders.entries()) {
              const data = `run ${run} sender ${index} #${sent.length}`;
              sent.push(data);
              sender.send(JSON.stringify({ action: 'sendMessage', room: 'busy', data }));
            }
            if (!dropped && Date.now() - started > TRAFFIC_MS / 3) {
              dropped = true;
              await dropSubscriberOf(admin, nodeIdIn(cluster.processes[1]?.output() ?? ''));
            }
            await delay(SEND_EVERY_MS);
          }
          // Every sender sees its own messages come back: all were accepted and numbered.
          const ownCopies = (client: ChatClient) => messages(client).length;
          await eventually(() => senders.reduce((sum, client) => sum + ownCopies(client), 0) === sent.length * SENDERS);
          const settled = (client: ChatClient) => messages(client).length + lostCount(client) >= sent.length;
          await eventually(() => receivers.every(settled), 15_000).catch(() => {});

          const nodeLog = cluster.processes[1]?.output() ?? '';
          if (/"event":"redis\.disconnected","role":"subscriber"/.test(nodeLog)) tally.linksDropped++;
          for (const gap of nodeLog.matchAll(/"event":"broadcast\.gap".*?"recovered":(\d+)/g)) {
            tally.recoveredFromHistory += Number(gap[1]);
          }
          tally.sent += sent.length;
          for (const receiver of receivers) {
            const got = messages(receiver);
            const data = got.map((message) => message.data);
            const unique = new Set(data);
            tally.deliveries += got.length;
            tally.duplicated += data.length - unique.size;
            tally.outOfOrder += got.filter(
              (message, i) => i > 0 && message.id <= (got[i - 1] as MessageEvent).id,
            ).length;
            const missing = sent.filter((message) => !unique.has(message)).length;
            const announced = lostCount(receiver);
            tally.announcedLost += Math.min(missing, announced);
            tally.silentlyLost += Math.max(0, missing - announced);
          }
        } finally {
          for (const client of clients) client.vanish();
          await cluster.stop('SIGKILL');
        }
      }
    } finally {
      admin.disconnect();
    }
    console.log(`subscriber link dropped under traffic, ${RUNS} runs: ${JSON.stringify(tally)}`);
    expect(tally.linksDropped).toBe(RUNS);
    expect(tally.deliveries).toBeGreaterThan(0);
    expect(tally.silentlyLost).toBe(0);
    expect(tally.duplicated).toBe(0);
    expect(tally.outOfOrder).toBe(0);
  }, 180_000);
});

function messages(client: ChatClient): MessageEvent[] {
  return client.frames
    .map((frame) => JSON.parse(frame) as { type: string })
    .filter((event): event is MessageEvent => event.type === 'message');
}

/** Messages a client was told it would not get (`MESSAGES_LOST` errors name how many). */
function lostCount(client: ChatClient): number {
  return client.frames
    .map((frame) => JSON.parse(frame) as { type: string; code?: string; message?: string })
    .filter((event) => event.type === 'error' && event.code === 'MESSAGES_LOST')
    .reduce(
      (sum, event) => sum + Number(/^(\d+) message/.exec(event.message ?? '')?.[1] ?? Number.POSITIVE_INFINITY),
      0,
    );
}
