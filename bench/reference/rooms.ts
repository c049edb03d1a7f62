import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, WebSocket, WebSocketServer } from 'ws';

/**
 * The bare `ws` room fan-out: a `Map<room, Set<socket>>`, `joinRoom` adds the socket and answers
 * `joined`, `sendMessage` with a room encodes the data once and loops over that room's set, and
 * without a room over every client. No ids, names, formats, history or limits.
 */
const rooms = new Map<string, Set<WebSocket>>();
const http = createServer((_req, res) => res.writeHead(426).end());
const wss = new WebSocketServer({ server: http, maxPayload: 128 * 1024, perMessageDeflate: false });

const sendTo = (clients: Iterable<WebSocket>, data: string) => {
  const frame = Buffer.from(data, 'utf8');
  for (const client of clients) {
    if (client.readyState === WebSocket.OPEN) client.send(frame, { binary: false });
  }
};

wss.on('connection', (socket) => {
  const mine: Set<WebSocket>[] = [];
  socket.on('error', () => {});
  socket.on('close', () => {
    for (const members of mine) members.delete(socket);
  });
  socket.on('message', (raw: RawData, isBinary: boolean) => {
    if (isBinary) return;
    let body: { action?: unknown; room?: unknown; data?: unknown } | null;
    try {
      body = JSON.parse(raw.toString());
    } catch {
      return;
    }
    if (body?.action === 'joinRoom' && typeof body.room === 'string') {
      let members = rooms.get(body.room);
      if (members === undefined) {
        members = new Set();
        rooms.set(body.room, members);
      }
      members.add(socket);
      mine.push(members);
      socket.send(JSON.stringify({ type: 'joined', room: body.room }));
    } else if (body?.action === 'sendMessage' && typeof body.data === 'string') {
      if (typeof body.room === 'string') sendTo(rooms.get(body.room) ?? [], body.data);
      else sendTo(wss.clients, body.data);
    }
  });
});

await new Promise<void>((resolve) =>
  http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', resolve),
);
process.stdout.write(`reference server listening on ws://127.0.0.1:${(http.address() as AddressInfo).port}\n`);
const stop = () => {
  for (const client of wss.clients) client.terminate();
  wss.close();
  http.close(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
