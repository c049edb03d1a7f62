import type { Redis } from 'ioredis';
import type { RedisKeys } from './RedisKeys.js';
import { RedisScript } from './RedisScript.js';
import { BEAT_SCRIPT } from './scripts.js';

/** What one beat found. */
export interface BeatReport {
  /** This node's heartbeat had vanished (Redis restarted, or others took this node for dead). */
  readonly lostRegistration: boolean;
  /** Connections of dead nodes removed from the directory. */
  readonly purgedConnections: number;
  /** Dead nodes purged. */
  readonly purgedNodes: number;
  /** Registered nodes after the purge, this one included. */
  readonly liveNodes: number;
}

export interface RedisNodeHeartbeatOptions {
  readonly redis: Redis;
  readonly keys: RedisKeys;
  readonly nodeId: string;
  /**
   * The heartbeat interval. The node beats every quarter interval with a time to live of 1.25
   * intervals, so a dead node's heartbeat expires within 1.25 intervals and a survivor's next
   * beat (at most a quarter interval later) purges it: within 1.5 intervals, which leaves half an
   * interval for timer drift under load before the promise of twice the interval is broken.
   */
  readonly intervalMs: number;
  readonly onBeat?: (report: BeatReport) => void;
  readonly onError?: (error: unknown) => void;
}

const beat = new RedisScript(BEAT_SCRIPT);

/**
 * Announces this node with a key that expires, and on every beat purges the directory entries
 * of nodes whose key has expired. One script call per beat, whatever the number of connections.
 */
export class RedisNodeHeartbeat {
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<BeatReport | undefined> = Promise.resolve(undefined);

  constructor(private readonly options: RedisNodeHeartbeatOptions) {
    if (!Number.isInteger(options.intervalMs) || options.intervalMs < 20) {
      throw new RangeError('intervalMs must be an integer of at least 20');
    }
  }

  get ttlMs(): number {
    return Math.ceil(this.options.intervalMs * 1.25);
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

  /** Refreshes the heartbeat and purges dead nodes now. */
  async beatOnce(): Promise<BeatReport> {
    const { redis, keys, nodeId } = this.options;
    const [present, purgedConnections, purgedNodes, liveNodes] = (await beat.run(redis, [
      keys.prefix,
      nodeId,
      this.ttlMs,
    ])) as number[];
    const report = {
      lostRegistration: present === 0,
      purgedConnections: purgedConnections ?? 0,
      purgedNodes: purgedNodes ?? 0,
      liveNodes: liveNodes ?? 0,
    };
    this.options.onBeat?.(report);
    return report;
  }

  /** Stops beating; the caller then purges this node's entries (its heartbeat goes with them). */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.beating;
  }
}
