import { WebSocket } from 'ws';
import { startReferenceServer } from './referenceServer.js';

/** The bare `ws` broadcast: encode the frame once, loop over the server's clients and send. */
await startReferenceServer((clients, data) => {
  const frame = Buffer.from(data, 'utf8');
  for (const client of clients) {
    if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
  }
});
