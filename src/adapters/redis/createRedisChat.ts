import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ConnectionRepository, MessageGateway } from '../../domain/index.js';
import { closeRedis, connectRedis } from './connectRedis.js';
import { RedisBroadcastRelay } from './RedisBroadcastRelay.js';
import { type LocalConnections, RedisConnectionRepository } from './RedisConnectionRepository.js';
import { RedisKeys } from './RedisKeys.js';
import { RedisMessageGateway } from './RedisMessageGateway.js';
import { type BeatReport, RedisNodeHeartbeat, registrationTtlMs } from './RedisNodeHeartbeat.js';
import { RedisPresence } from './RedisPresence.js';
import { RedisSubscriber } from './RedisSubscriber.js';

/** Where the adapter reports what operators should know; never message bodies. */
export type RedisChatLog = (level: 'info' | 'warn', event: string, fields?: Record<string, unknown>) => void;

export interface RedisChatOptions {
  /** Every key and channel of this chat starts with it. */
  readonly keyPrefix: string;
  /** A node that stops beating is forgotten by the others within twice this interval. */
  readonly heartbeatIntervalMs: number;
  /** Most broadcasts held for the other nodes while Redis is unreachable. */
  readonly maxHeldFrames: number;
  /** Most bytes of broadcasts held for the other nodes while Redis is unreachable. */
  readonly maxHeldBytes: number;
  /** Delivers to the sockets of this node. */
  readonly local: MessageGateway;
  /** This node's connections, in memory. */
  readonly localConnections: LocalConnections;
  readonly log?: RedisChatLog;
}

/** What a node does with a broadcast another node relayed: deliver it to its own audience. */
export interface RelayedFrameHandler {
  deliver(frame: string): Promise<void>;
}

/** One node of the Redis cluster: the two ports to bind, and its lifecycle. */
export interface RedisChat {
  /** Fresh on every start, so a restarted node inherits nothing of its former self. */
  readonly nodeId: string;
  readonly connections: ConnectionRepository;
  readonly gateway: MessageGateway;
  /** Registers the node, then hands every broadcast the others relay to `inbound`. */
  start(inbound: RelayedFrameHandler): Promise<void>;
  /** Leaves the cluster: sends what it still holds, removes its keys, closes its links. */
  stop(): Promise<void>;
}

/**
 * Connects to Redis (or rejects with `RedisUnavailableError`) and assembles a cluster node:
 * the connections repository and gateway the core runs on, the broadcast relay, the presence
 * and the heartbeat, all over one commands link and one subscriber link.
 */
export async function createRedisChat(url: string, options: RedisChatOptions): Promise<RedisChat> {
  const log: RedisChatLog = options.log ?? (() => {});
  const { commands, subscriber, close } = await connectLinks(url, log);
  const nodeId = randomUUID();
  const keys = new RedisKeys(options.keyPrefix);
  const warn = (event: string, fields: Record<string, unknown>) => log('warn', event, fields);
  const relay = new RedisBroadcastRelay({
    redis: commands,
    subscriber: new RedisSubscriber(subscriber),
    keys,
    nodeId,
    maxHeldFrames: options.maxHeldFrames,
    maxHeldBytes: options.maxHeldBytes,
    resumeWaitMs: 2 * options.heartbeatIntervalMs,
    onWarning: warn,
  });
  const heartbeatOptions = { redis: commands, keys, nodeId, intervalMs: options.heartbeatIntervalMs };
  const presence = new RedisPresence({ ...heartbeatOptions, ttlMs: registrationTtlMs(options.heartbeatIntervalMs) });
  const connections = new RedisConnectionRepository(options.localConnections, presence, (error, operation) =>
    warn('presence.write_failed', { operation, error: String(error) }),
  );
  let beating = true;
  const heartbeat = new RedisNodeHeartbeat({
    ...heartbeatOptions,
    onBeat: (report: BeatReport) => {
      beating = true;
      relay.expectNodes(report.liveNodes);
      if (report.purgedNodes > 0) log('info', 'cluster.purged', { ...report });
      if (!report.lostRegistration && !connections.needsResync) return;
      // Redis lost this node's entries (restart, lapse) or a write failed: rewrite them from memory.
      connections.resync().catch((error: unknown) => warn('presence.resync_failed', { error: String(error) }));
    },
    onError: (error) => {
      // One line per outage, not one per beat.
      if (beating) warn('heartbeat.failed', { error: String(error) });
      beating = false;
    },
  });
  return {
    nodeId,
    connections,
    gateway: new RedisMessageGateway(options.local, relay),
    async start(inbound) {
      await heartbeat.start();
      await relay.start((frame) => inbound.deliver(frame));
      log('info', 'cluster.joined', { nodeId });
    },
    async stop() {
      await heartbeat.stop();
      const unsent = await relay.stop();
      if (unsent > 0) warn('cluster.unsent_on_exit', { frames: unsent });
      try {
        const removed = await withTimeout(presence.clear(), 2000);
        log('info', 'cluster.left', { nodeId, removed });
      } catch (error) {
        // Redis is away: this node's keys expire by themselves.
        warn('cluster.leave_failed', { error: String(error) });
      }
      await close();
    },
  };
}

/** The commands link (fails fast while disconnected) and the subscriber link, with one log line per drop. */
async function connectLinks(url: string, log: RedisChatLog) {
  const up = { commands: true, subscriber: true };
  // ioredis reports every failed reconnection attempt; one line when a link drops is enough.
  const onError = (role: keyof typeof up) => (error: Error) => {
    if (up[role]) log('warn', 'redis.error', { role, error: error.message });
  };
  const commands = await connectRedis(url, { role: 'commands', onError: onError('commands') });
  let subscriber: Redis;
  try {
    subscriber = await connectRedis(url, { role: 'subscriber', onError: onError('subscriber') });
  } catch (error) {
    commands.disconnect();
    throw error;
  }
  for (const [role, link] of [
    ['commands', commands],
    ['subscriber', subscriber],
  ] as const) {
    link.on('close', () => {
      if (up[role]) log('warn', 'redis.disconnected', { role });
      up[role] = false;
    });
    link.on('ready', () => {
      up[role] = true;
      log('info', 'redis.ready', { role });
    });
  }
  return {
    commands,
    subscriber,
    close: () => Promise.all([closeRedis(commands), closeRedis(subscriber)]).then(() => undefined),
  };
}

function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer from Redis within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}
