import { WsChatServer, WsMessageGateway } from '../../src/adapters/ws/index.js';
import type { ConnectionId } from '../../src/domain/index.js';
import { ChatClient } from '../support/ChatClient.js';
import { type GatewayHarness, messageGatewayContract } from './messageGatewayContract.js';

messageGatewayContract('WsMessageGateway', async (): Promise<GatewayHarness> => {
  const gateway = new WsMessageGateway({ maxBufferedBytes: 1024 * 1024 });
  const opened: ConnectionId[] = [];
  const server = new WsChatServer(
    gateway,
    {
      admit: async () => ({ admitted: true, session: undefined }),
      opened: async (id) => {
        opened.push(id);
      },
      received: async () => {},
      closed: async () => {},
    },
    {
      host: '127.0.0.1',
      port: 0,
      maxMessageBytes: 128 * 1024,
      idleTimeoutMs: 60_000,
      maxConnectionAgeMs: 60_000,
      heartbeatIntervalMs: 10_000,
    },
  );
  const { port } = await server.listen();
  const clients: ChatClient[] = [];
  // Ids are learnt from the order of `opened`, so connections are made one at a time.
  let queue: Promise<unknown> = Promise.resolve();
  const connectOne = async () => {
    const before = opened.length;
    const client = await ChatClient.connect(`ws://127.0.0.1:${port}`);
    clients.push(client);
    while (opened.length === before) await new Promise((resolve) => setImmediate(resolve));
    return { id: opened[before] as ConnectionId, client };
  };
  return {
    gateway,
    connect() {
      const next = queue.then(connectOne);
      queue = next.catch(() => {});
      return next;
    },
    async close() {
      await Promise.all(clients.map((client) => client.close()));
      await server.close();
    },
  };
});
