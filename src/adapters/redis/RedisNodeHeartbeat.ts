import type { RedisClient } from './RedisClient.js';
import type { RedisKeys } from './RedisKeys.js';

/** What one beat found. */
export interface BeatReport {
  /** This node was not registered (first beat, Redis restarted, or its registration lapsed). */
  readonly lostRegistration: boolean;
  /** Registrations of dead nodes removed; their connections expire with them. */
  readonly purgedNodes: number;
  /** Registered nodes after the purge, this one included. */
  readonly liveNodes: number;
  /** When this node's registration (and every key it wrote) lapses unless it beats again. */
  readonly lapsesAt: number;
}

export interface RedisNodeHeartbeatOptions {
  readonly redis: RedisClient;
  readonly keys: RedisKeys;
  readonly nodeId: string;
  /**
   * The heartbeat interval. The node beats every quarter interval and its registration and
   * connections live 1.25 intervals past a beat, so those of a dead node are gone within 1.25
   * intervals: inside the promise of twice the interval, with room for timer drift under load.
   */
  readonly intervalMs: number;
  /** Further keys of this node (its rooms' members) whose expiry each beat refreshes. */
  readonly ownKeys?: () => readonly string[];
  readonly onBeat?: (report: BeatReport) => void;
  readonly onError?: (error: unknown) => void;
}

/** How long a registration beaten every quarter of `intervalMs` lives past a beat. */
export const registrationTtlMs = (intervalMs: number): number => Math.ceil(intervalMs * 1.25);

/**
 * Registers this node in a sorted set scored by when its registration lapses, refreshes the
 * expiry of everything the node wrote, and drops lapsed registrations: two transactions per beat,
 * sent together, whatever the number of connections: one on the registry, one on the node's own
 * keys (they share a slot of their own on a Redis Cluster, the registry has another).
 */
export class RedisNodeHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<BeatReport | undefined> = Promise.resolve(undefined);

  constructor(private readonly options: RedisNodeHeartbeatOptions) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 20) {
      throw new RangeError('intervalMs must be an integer of at least 20');
    }
  }

  /** How long the node's registration and connections outlive its last beat. */
  get ttlMs(): number {
    return registrationTtlMs(this.options.intervalMs);
  }

  /** Beats once (a startup failure is thrown), then every quarter interval. */
  async start(): Promise<BeatReport> {
    const report = await this.beatOnce();
    this.timer = setInterval(
      () => {
        this.beating = this.beatOnce().catch((error: unknown) => {
          this.options.onError?.(error);
          return undefined;
        });
      },
      Math.floor(this.options.intervalMs / 4),
    );
    this.timer.unref();
    return report;
  }

  /** Refreshes this node's registration and expiries, and drops lapsed registrations, now. */
  async beatOnce(): Promise<BeatReport> {
    const { redis, keys, nodeId } = this.options;
    const now = Date.now();
    // The registration and the node's connections lapse at the same instant.
    const lapsesAt = now + this.ttlMs;
    const registry = redis
      .multi()
      .zscore(keys.nodes, nodeId)
      .zadd(keys.nodes, lapsesAt, nodeId)
      .zremrangebyscore(keys.nodes, '-inf', now)
      .pexpire(keys.nodes, this.ttlMs)
      .zcard(keys.nodes);
    const own = redis
      .multi()
      .set(keys.alive(nodeId), String(lapsesAt), 'PXAT', lapsesAt, 'GET')
      .pexpireat(keys.connections(nodeId), lapsesAt);
    for (const key of this.options.ownKeys?.() ?? []) own.pexpireat(key, lapsesAt);
    const [[previous, , purged, , live], [mark]] = await Promise.all([results(registry), results(own)]);
    // Lapsed but not yet dropped counts as lost too: the node's connections expired with it. A
    // missing mark means the node's own slot lost its keys (a shard restarted without its data).
    const lostRegistration = previous === null || Number(previous) <= now || mark === null;
    const report = { lostRegistration, purgedNodes: Number(purged), liveNodes: Number(live), lapsesAt };
    this.options.onBeat?.(report);
    return report;
  }

  /** Stops beating; the caller then clears this node's entries. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
  }
}

/** A transaction's replies, or the first error it met. */
async function results(batch: ReturnType<RedisClient['multi']>): Promise<unknown[]> {
  const replies = await batch.exec();
  const failed = replies?.find(([error]) => error !== null);
  if (replies === null || failed !== undefined) throw failed?.[0] ?? new Error('heartbeat transaction aborted');
  return replies.map(([, value]) => value);
}
