import { Redis, type RedisOptions } from 'ioredis';
import { describeRedisTarget, type RedisTarget, tlsOptions, toRedisTarget } from './RedisTarget.js';

/** Redis could not be reached when the node started. */
export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';

  constructor(where: string, cause: unknown) {
    super(`Redis at ${where} is unreachable: ${reasonOf(cause)}`);
  }
}

/** A topology this adapter cannot connect to (yet). */
export class RedisTopologyUnsupportedError extends Error {
  readonly code = 'REDIS_TOPOLOGY_UNSUPPORTED';

  constructor(kind: RedisTarget['kind']) {
    super(`connecting to a Redis ${kind} is not supported yet`);
  }
}

/** Replies of a server that is no longer (or not yet) the master: the link is sent to the current one. */
const WRONG_SERVER = /^(READONLY|LOADING|MASTERDOWN)\b/;

export interface ConnectRedisOptions {
  /** `commands`: fails fast while disconnected; `subscriber`: pub/sub, resubscribes on reconnect. */
  readonly role: 'commands' | 'subscriber';
  /** The client name Redis lists the connection under (`CLIENT LIST`); `chat-<role>` by default. */
  readonly name?: string;
  /** How long the first connection may take. */
  readonly connectTimeoutMs?: number;
  /** Longest pause between reconnection attempts. */
  readonly maxReconnectDelayMs?: number;
  /**
   * Commands connection: how long a command may wait for its answer. A Redis that stalls
   * without dropping the link must not hold up joins, broadcasts or shutdown forever.
   */
  readonly commandTimeoutMs?: number;
  /** Connection errors after startup (ioredis reconnects by itself). */
  readonly onError?: (error: Error) => void;
}

/**
 * Opens one connection and resolves once it is ready, or rejects with `RedisUnavailableError`.
 *
 * After startup ioredis reconnects forever. The commands connection never queues while
 * disconnected (callers buffer or resync themselves, so nothing piles up unbounded), and a
 * command that gets no answer within `commandTimeoutMs` fails like one sent on a dropped link.
 */
export async function connectRedis(target: RedisTarget | string, options: ConnectRedisOptions): Promise<Redis> {
  const where = toRedisTarget(target);
  const { role, connectTimeoutMs = 5000, maxReconnectDelayMs = 1000, commandTimeoutMs = 2000 } = options;
  const backoff = (attempt: number) => Math.min(50 * 2 ** Math.min(attempt, 10), maxReconnectDelayMs);
  const settings: RedisOptions = {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: null,
    enableOfflineQueue: role === 'subscriber',
    ...(role === 'commands' ? { commandTimeout: commandTimeoutMs } : {}),
    autoResubscribe: true,
    autoResendUnfulfilledCommands: true,
    connectionName: options.name ?? `chat-${role}`,
    retryStrategy: backoff,
    // After a failover the former master answers writes with READONLY: reconnect (Sentinel names
    // the new master) and retry the command. On the commands link, which does not queue, the
    // retry fails as on a dropped link, which callers resend, never as a refusal they give up on.
    reconnectOnError: (error) => (WRONG_SERVER.test(error.message) ? 2 : false),
  };
  const redis = createClient(where, settings, backoff);
  let started = false;
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => {
    if (started) options.onError?.(error);
    else firstError ??= error;
  });
  try {
    // Sentinel mode asks the sentinels round after round and never gives up by itself.
    await withDeadline(redis.connect(), connectTimeoutMs);
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(describeRedisTarget(where), firstError ?? error);
  }
  started = true;
  return redis;
}

/** Closes a connection politely, or cuts it when Redis does not answer within `timeoutMs`. */
export async function closeRedis(redis: Redis, timeoutMs = 1000): Promise<void> {
  if (redis.status !== 'ready') {
    redis.disconnect();
    return;
  }
  const timer = setTimeout(() => redis.disconnect(), timeoutMs);
  try {
    await redis.quit();
  } catch {
    redis.disconnect();
  } finally {
    clearTimeout(timer);
  }
}

/** The ioredis client for `target`, not connected yet. */
function createClient(target: RedisTarget, settings: RedisOptions, backoff: (attempt: number) => number): Redis {
  const tls = target.tls === undefined ? {} : { tls: tlsOptions(target.tls) };
  switch (target.kind) {
    case 'single':
      // `rediss://` alone means TLS with Node's default trust store.
      return new Redis(
        target.url,
        /^rediss:/i.test(target.url) ? { tls: tlsOptions({}), ...settings, ...tls } : settings,
      );
    case 'sentinel':
      return new Redis({
        ...settings,
        ...tls,
        sentinels: target.sentinels.map(({ host, port }) => ({ host, port })),
        name: target.name,
        sentinelRetryStrategy: backoff,
        // Listens for the sentinels' +switch-master and moves at once, not at the next failed command.
        failoverDetector: true,
      });
    case 'cluster':
      throw new RedisTopologyUnsupportedError(target.kind);
  }
}

/** `work`, or a rejection once `ms` passed. */
function withDeadline<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready within ${ms} ms`)), ms);
  });
  return Promise.race([work, late]).finally(() => clearTimeout(timer));
}

/** Why a link failed, saying so plainly when the server's certificate is the reason. */
function reasonOf(cause: unknown): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const code = (cause as { code?: unknown } | undefined)?.code;
  const certificate = typeof code === 'string' && /CERT|SELF_SIGNED|UNABLE_TO_VERIFY|ERR_TLS/.test(code);
  return certificate ? `TLS: the server's certificate is not trusted (${code}: ${message})` : message;
}
