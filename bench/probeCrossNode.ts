import { setTimeout as sleep } from 'node:timers/promises';
import { WebSocket } from 'ws';

/**
 * Checks that a message sent on the first node reaches a client of the last one: a cluster
 * whose nodes do not share messages is reported unavailable rather than measured as lossy.
 */
export async function probeCrossNode(
  deployment: { readonly urls: readonly string[] },
  timeoutMs = 5000,
): Promise<string | undefined> {
  const first = deployment.urls[0] as string;
  const last = deployment.urls[deployment.urls.length - 1] as string;
  const open = (url: string) =>
    new Promise<WebSocket>((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(socket));
      socket.once('error', reject);
    });
  const [sender, receiver] = await Promise.all([open(first), open(last)]);
  try {
    await sleep(200);
    const received = new Promise<boolean>((resolve) => {
      const timer = setTimeout(() => resolve(false), timeoutMs);
      receiver.on('message', (data: Buffer) => {
        if (data.toString() === 'probe') {
          clearTimeout(timer);
          resolve(true);
        }
      });
    });
    sender.send(JSON.stringify({ action: 'sendMessage', data: 'probe' }));
    return (await received) ? undefined : `a message sent on one node did not reach the other within ${timeoutMs} ms`;
  } finally {
    sender.terminate();
    receiver.terminate();
  }
}
