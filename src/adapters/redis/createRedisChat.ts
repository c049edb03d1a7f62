import { randomUUID } from 'node:crypto';
import type { Redis } from 'ioredis';
import type { ConnectionRepository, HistoryRetention, MessageGateway, MessageHistory } from '../../domain/index.js';
import { closeRedis, connectRedis } from './connectRedis.js';
import { type LocalConnections, RedisConnectionRepository } from './RedisConnectionRepository.js';
import { RedisKeys } from './RedisKeys.js';
import { RedisMessageGateway } from './RedisMessageGateway.js';
import { RedisMessageHistory } from './RedisMessageHistory.js';
import { type BeatReport, RedisNodeHeartbeat, registrationTtlMs } from './RedisNodeHeartbeat.js';
import { RedisPresence } from './RedisPresence.js';
import { RedisRoomRelay, type RelayedEventHandler } from './RedisRoomRelay.js';
import { RedisSubscriber } from './RedisSubscriber.js';
import type { RedisTarget } from './RedisTarget.js';
import { withTimeout } from './withTimeout.js';

/** Where the adapter reports what operators should know; never message bodies. */
export type RedisChatLog = (level: 'info' | 'warn', event: string, fields?: Record<string, unknown>) => void;

export interface RedisChatOptions {
  /** Every key and channel of this chat starts with it. */
  readonly keyPrefix: string;
  /** A node that stops beating is forgotten by the others within twice this interval. */
  readonly heartbeatIntervalMs: number;
  /** Most publications held for the other nodes while Redis is unreachable. */
  readonly maxHeldFrames: number;
  /** Most bytes of publications held for the other nodes while Redis is unreachable. */
  readonly maxHeldBytes: number;
  /** How much of each room's history Redis keeps. */
  readonly retention: HistoryRetention;
  /** Delivers to the sockets of this node. */
  readonly local: MessageGateway;
  /** This node's connections, in memory. */
  readonly localConnections: LocalConnections;
  readonly log?: RedisChatLog;
}

export interface RedisChatStatus {
  /** Started, registered, and both Redis links up. */
  readonly ready: boolean;
  /** Publications held for the other nodes. */
  readonly heldFrames: number;
}

/** One node of the Redis cluster: the ports to bind, and its lifecycle. */
export interface RedisChat {
  /** Fresh on every start, so a restarted node inherits nothing of its former self. */
  readonly nodeId: string;
  readonly connections: ConnectionRepository;
  readonly gateway: MessageGateway;
  readonly history: MessageHistory;
  /** Registers the node, then hands what the cluster publishes to `inbound`. */
  start(inbound: RelayedEventHandler): Promise<void>;
  /** What operators and readiness probes look at: joined and linked to Redis, and what is held. */
  status(): RedisChatStatus;
  /** Leaves the cluster: sends what it still holds, removes its keys, closes its links. */
  stop(): Promise<void>;
}

/**
 * Connects to Redis (or rejects with `RedisUnavailableError`) and assembles a cluster node:
 * the repository, gateway and history the core runs on, over the room relay, the presence and
 * the heartbeat, on one commands link and one subscriber link.
 */
export async function createRedisChat(target: RedisTarget | string, options: RedisChatOptions): Promise<RedisChat> {
  const log: RedisChatLog = options.log ?? (() => {});
  const nodeId = randomUUID();
  const { commands, subscriber, close, linked } = await connectLinks(target, nodeId, log);
  let joined = false;
  const keys = new RedisKeys(options.keyPrefix);
  const warn = (event: string, fields: Record<string, unknown>) => log('warn', event, fields);
  const history = new RedisMessageHistory({ redis: commands, keys, retention: options.retention });
  const relay = new RedisRoomRelay({
    redis: commands,
    subscriber: new RedisSubscriber(subscriber),
    keys,
    nodeId,
    history,
    maxHeldFrames: options.maxHeldFrames,
    maxHeldBytes: options.maxHeldBytes,
    resumeWaitMs: 2 * options.heartbeatIntervalMs,
    onWarning: warn,
  });
  const ttlMs = registrationTtlMs(options.heartbeatIntervalMs);
  const presence = new RedisPresence({ redis: commands, keys, nodeId, ttlMs });
  const connections = new RedisConnectionRepository(options.localConnections, presence, relay, (error, operation) =>
    warn('presence.write_failed', { operation, error: String(error) }),
  );
  let beating = true;
  const heartbeat = new RedisNodeHeartbeat({
    redis: commands,
    keys,
    nodeId,
    intervalMs: options.heartbeatIntervalMs,
    ownKeys: () => relay.rooms().map((room) => presence.roomKey(room)),
    onBeat: (report: BeatReport) => {
      beating = true;
      presence.registeredUntil(report.lapsesAt);
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
    history,
    async start(inbound) {
      await history.prepare();
      await heartbeat.start();
      await relay.start(inbound);
      joined = true;
      log('info', 'cluster.joined', { nodeId });
    },
    status: () => ({ ready: joined && linked(), heldFrames: relay.held }),
    async stop() {
      joined = false;
      await heartbeat.stop();
      const rooms = relay.rooms();
      const unsent = await relay.stop();
      if (unsent > 0) warn('cluster.unsent_on_exit', { frames: unsent });
      try {
        const removed = await withTimeout(presence.clear(rooms), 2000);
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
async function connectLinks(target: RedisTarget | string, nodeId: string, log: RedisChatLog) {
  const up = { commands: true, subscriber: true };
  // ioredis reports every failed reconnection attempt; one line when a link drops is enough.
  const onError = (role: keyof typeof up) => (error: Error) => {
    if (up[role]) log('warn', 'redis.error', { role, error: error.message });
  };
  const name = (role: string) => `chat-${role}-${nodeId}`;
  const commands = await connectRedis(target, {
    role: 'commands',
    name: name('commands'),
    onError: onError('commands'),
  });
  let subscriber: Redis;
  try {
    subscriber = await connectRedis(target, {
      role: 'subscriber',
      name: name('subscriber'),
      onError: onError('subscriber'),
    });
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
    linked: () => up.commands && up.subscriber,
    close: () => Promise.all([closeRedis(commands), closeRedis(subscriber)]).then(() => undefined),
  };
}
