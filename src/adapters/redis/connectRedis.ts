import { Redis, type RedisOptions } from 'ioredis';

/** Redis could not be reached when the node started. */
export class RedisUnavailableError extends Error {
  readonly code = 'REDIS_UNAVAILABLE';

  constructor(url: string, cause: unknown) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    super(`Redis at ${redact(url)} is unreachable: ${reason}`);
  }
}

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
export async function connectRedis(url: string, options: ConnectRedisOptions): Promise<Redis> {
  const { role, connectTimeoutMs = 5000, maxReconnectDelayMs = 1000, commandTimeoutMs = 2000 } = options;
  const settings: RedisOptions = {
    lazyConnect: true,
    connectTimeout: connectTimeoutMs,
    maxRetriesPerRequest: null,
    enableOfflineQueue: role === 'subscriber',
    ...(role === 'commands' ? { commandTimeout: commandTimeoutMs } : {}),
    autoResubscribe: true,
    autoResendUnfulfilledCommands: true,
    connectionName: options.name ?? `chat-${role}`,
    retryStrategy: (attempt) => Math.min(50 * 2 ** Math.min(attempt, 10), maxReconnectDelayMs),
  };
  const redis = new Redis(url, settings);
  let started = false;
  let firstError: Error | undefined;
  redis.on('error', (error: Error) => {
    if (started) options.onError?.(error);
    else firstError ??= error;
  });
  try {
    await redis.connect();
  } catch (error) {
    redis.disconnect();
    throw new RedisUnavailableError(url, firstError ?? error);
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

function redact(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
