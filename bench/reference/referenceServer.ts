import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';

/**
 * What the reference servers share: a bare `ws` server that reads the `sendMessage` frame and
 * hands its `data` to `broadcast`. No ids, no repository, no limits beyond the message size.
 */
export async function startReferenceServer(
  broadcast: (clients: ReadonlySet<WebSocket>, data: string) => void,
): Promise<WebSocketServer> {
  const http = createServer((_req, res) => res.writeHead(426).end());
  const wss = new WebSocketServer({ server: http, maxPayload: 128 * 1024, perMessageDeflate: false });
  wss.on('connection', (socket) => {
    socket.on('error', () => {});
    socket.on('message', (raw: RawData, isBinary: boolean) => {
      if (isBinary) return;
      const data = readData(raw.toString());
      if (data !== undefined) broadcast(wss.clients, data);
    });
  });
  await new Promise<void>((resolve) =>
    http.listen(Number(process.env.PORT ?? 0), process.env.HOST ?? '127.0.0.1', resolve),
  );
  const { port } = http.address() as AddressInfo;
  process.stdout.write(`reference server listening on ws://127.0.0.1:${port}\n`);
  const stop = () => {
    for (const client of wss.clients) client.terminate();
    wss.close();
    http.close(() => process.exit(0));
  };
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
  return wss;
}

function readData(text: string): string | undefined {
  try {
    const body = JSON.parse(text) as { action?: unknown; data?: unknown } | null;
    if (body?.action === 'sendMessage' && typeof body.data === 'string') return body.data;
  } catch {
    // Not JSON: the reference ignores it.
  }
  return undefined;
}
