import { Redis } from 'ioredis';
import { WebSocket } from 'ws';
import { startReferenceServer } from './referenceServer.js';

/**
 * The bare cluster node: one Redis publish per message; every node, the sender's included,
 * delivers what it receives on the channel to its own clients with the bare `ws` loop.
 */
const CHANNEL = 'bench:reference:chat';
const url = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const publisher = new Redis(url);
const subscriber = new Redis(url);
publisher.on('error', () => {});
subscriber.on('error', () => {});
await subscriber.subscribe(CHANNEL);

const wss = await startReferenceServer((_clients, data) => {
  void publisher.publish(CHANNEL, data);
});
subscriber.on('messageBuffer', (_channel: Buffer, frame: Buffer) => {
  for (const client of wss.clients) {
    if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
  }
});
