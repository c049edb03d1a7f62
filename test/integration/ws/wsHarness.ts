import {
  type ChatConnectionHandler,
  type InboundLimits,
  WsChatServer,
  WsMessageGateway,
} from '../../../src/adapters/ws/index.js';
import type { ConnectionId } from '../../../src/domain/index.js';

/** A WsChatServer on a free loopback port whose handler records what it is told. */
export async function startRecordingServer(
  options: Partial<InboundLimits> & {
    idleTimeoutMs?: number;
    maxConnectionAgeMs?: number;
    heartbeatIntervalMs?: number;
    maxBufferedBytes?: number;
    maxBufferedFrames?: number;
    maxQueuedFramesPerClient?: number;
    maxConnections?: number;
    maxConnectionsPerIp?: number;
    trustProxy?: boolean;
    received?: (id: ConnectionId, text: string) => Promise<void>;
    /** Runs before the close is recorded, to model a slow leave. */
    closed?: (id: ConnectionId) => Promise<void>;
    onError?: (error: unknown, context: 'frame' | 'socket') => void;
    /** Decides each upgrade; by default every one is let in. */
    admit?: ChatConnectionHandler<unknown>['admit'];
  },
) {
  const events = { opened: [] as ConnectionId[], closed: [] as ConnectionId[], received: [] as string[] };
  const gateway = new WsMessageGateway({
    maxBufferedBytes: options.maxBufferedBytes ?? 1024 * 1024,
    ...(options.maxBufferedFrames === undefined ? {} : { maxBufferedFrames: options.maxBufferedFrames }),
    slowClientGraceMs: 500,
  });
  const handler: ChatConnectionHandler<unknown> = {
    admit: options.admit ?? (async () => ({ admitted: true, session: undefined })),
    opened: async (id) => {
      events.opened.push(id);
    },
    received: async (id, text) => {
      events.received.push(text);
      await options.received?.(id, text);
    },
    closed: async (id) => {
      await options.closed?.(id);
      events.closed.push(id);
    },
  };
  const server = new WsChatServer(gateway, handler, {
    host: '127.0.0.1',
    port: 0,
    idleTimeoutMs: 60_000,
    maxConnectionAgeMs: 60_000,
    heartbeatIntervalMs: 60_000,
    ...options,
  });
  const { port } = await server.listen();
  return { server, gateway, events, url: `ws://127.0.0.1:${port}` };
}
