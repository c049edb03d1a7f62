import { afterEach, describe, expect, it } from 'vitest';
import { WebSocket } from 'ws';
import { PEERS_UNREACHABLE_REPLY } from '../../../src/application/index.js';
import { ChatClient, delay, eventually } from '../../support/ChatClient.js';
import { testClient, uniquePrefix } from '../../support/redis.js';
import { type SentinelSet, startSentinelSet } from '../../support/redisTopologies.js';
import type { ChatProcess } from '../../support/spawnChatProcess.js';
import { owners, registeredNodes, startNode } from './clusterNodes.js';

let set: SentinelSet | undefined;
const nodes: ChatProcess[] = [];
const clients: ChatClient[] = [];
afterEach(async () => {
  for (const client of clients.splice(0)) client.vanish();
  await Promise.all(nodes.splice(0).map((node) => node.stop('SIGKILL')));
  await set?.stop();
  set = undefined;
});

const ROOM = 'steady';

/** A text client in the room, on `url`. */
async function member(url: string): Promise<ChatClient> {
  const client = await ChatClient.connect(url);
  clients.push(client);
  client.send(JSON.stringify({ action: 'joinRoom', room: ROOM }));
  await eventually(() => client.frames.some((frame) => frame.includes('"joined"')));
  return client;
}

/** The messages of `sender` its own client was told did not reach the other server: the last one before each error. */
function refusedOf(client: ChatClient, prefix: string): Set<string> {
  const refused = new Set<string>();
  client.frames.forEach((frame, i) => {
    if (frame !== PEERS_UNREACHABLE_REPLY) return;
    const own = client.frames
      .slice(0, i)
      .reverse()
      .find((earlier) => earlier.startsWith(prefix));
    if (own !== undefined) refused.add(own);
  });
  return refused;
}

describe('cluster on a Sentinel set', () => {
  it('keeps its promises when the master is killed under steady room traffic and a replica is promoted', async () => {
    set = await startSentinelSet();
    const prefix = uniquePrefix('failover');
    const env = { REDIS_URL: '', ...set.env, REDIS_HEARTBEAT_MS: '500', RATE_LIMIT_PER_S: '0' };
    const [a, b] = await Promise.all([startNode('', prefix, env), startNode('', prefix, env)]);
    nodes.push(a, b);
    // Senders and listeners on both nodes; each sender's copy of its own message is local.
    const [a1, a2, b1, b2] = [await member(a.url), await member(a.url), await member(b.url), await member(b.url)];
    const everyone = [a1, a2, b1, b2];
    const sent = { a: [] as string[], b: [] as string[] };
    let sequence = 0;
    const traffic = setInterval(() => {
      sequence++;
      for (const [label, sender] of [['a', a1] as const, ['b', b1] as const]) {
        const frame = `${label} ${sequence}`;
        sent[label].push(frame);
        sender.send(JSON.stringify({ action: 'sendMessage', room: ROOM, data: frame }));
      }
    }, 20);
    const started = Date.now();
    let failoverMs = 0;
    try {
      await delay(1000);
      const formerPort = await set.killMaster();
      const killedAt = Date.now();
      await set.failedOver(formerPort);
      failoverMs = Date.now() - killedAt;
      await delay(2000);
    } finally {
      clearInterval(traffic);
    }
    const refused = new Set([...refusedOf(a1, 'a '), ...refusedOf(b1, 'b ')]);
    const all = [...sent.a, ...sent.b];
    const copies = (client: ChatClient, frame: string) => client.frames.filter((seen) => seen === frame).length;
    // Each message reaches every member, or its sender was told it did not.
    await eventually(
      () => all.every((frame) => refused.has(frame) || everyone.every((client) => copies(client, frame) >= 1)),
      20_000,
    ).catch(() => {});
    await delay(500);

    const silentlyLost: string[] = [];
    let duplicates = 0;
    for (const frame of all) {
      everyone.forEach((client, i) => {
        const count = copies(client, frame);
        if (count === 0 && !refused.has(frame)) silentlyLost.push(`${frame} at ${['a1', 'a2', 'b1', 'b2'][i]}`);
        if (count > 1) duplicates++;
      });
    }
    const silent = silentlyLost.length;
    const announcedLost = everyone.flatMap((client) =>
      client.frames.filter((frame) => frame.includes('could not be delivered')),
    );
    console.log(
      `Sentinel failover under room traffic: ${all.length} messages sent over ${Date.now() - started} ms ` +
        `(failover took ${failoverMs} ms), ${refused.size} refused with an error to the sender, ` +
        `${silent} silently lost deliveries, ${duplicates} duplicate deliveries, ${announcedLost.length} loss notices`,
    );
    if (silent > 0 || duplicates > 0)
      console.log(silentlyLost.join(', '), nodes.map((node) => node.output()).join('\n'));
    expect(silent).toBe(0);
    expect(duplicates).toBe(0);
    // Per sender order holds for the messages that went through.
    for (const client of everyone) {
      for (const label of ['a ', 'b ']) {
        const seen = client.frames.filter((frame) => frame.startsWith(label));
        expect(seen).toEqual([...new Set(seen)].sort((x, y) => Number(x.slice(2)) - Number(y.slice(2))));
      }
    }

    // Nobody was cut off, and the cluster agrees on who is here.
    for (const client of everyone) expect(client.socket.readyState).toBe(WebSocket.OPEN);
    a2.send(JSON.stringify({ action: 'sendMessage', room: ROOM, data: 'after the failover' }));
    for (const client of everyone) await eventually(() => client.frames.includes('after the failover'), 10_000);
    const admin = testClient(await set.masterUrl());
    try {
      await eventually(async () => (await registeredNodes(admin, prefix)).length === 2, 10_000);
      await eventually(async () => [...(await owners(admin, prefix)).values()].join() === '2,2', 10_000);
    } finally {
      admin.disconnect();
    }
    b2.send(JSON.stringify({ action: 'listMembers', room: ROOM }));
    await eventually(() => b2.frames.some((frame) => frame.startsWith('{"type":"members"')), 10_000);
    const members = JSON.parse(
      [...b2.frames].reverse().find((frame) => frame.startsWith('{"type":"members"')) as string,
    );
    expect(members.members).toHaveLength(4);
  }, 90_000);
});
