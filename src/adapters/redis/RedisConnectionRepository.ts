import type { ConnectionId, ConnectionRepository } from '../../domain/index.js';
import type { RedisPresence } from './RedisPresence.js';

/** This node's own connections, held in its memory (the in-memory repository fits). */
export interface LocalConnections extends ConnectionRepository {
  has(id: ConnectionId): boolean;
  /** Every connection present now, taken synchronously. */
  snapshot(): ConnectionId[];
}

/**
 * A cluster node's connections: its audience is listed from memory, so a broadcast costs Redis
 * nothing per recipient, and every join and leave is written through to the cluster-wide
 * presence. A write that fails (Redis unreachable) does not stop the local chat: the node
 * rewrites its presence from memory once Redis is back.
 */
export class RedisConnectionRepository implements ConnectionRepository {
  private dirty = false;
  private resyncing: Promise<void> | undefined;

  constructor(
    private readonly local: LocalConnections,
    private readonly presence: Pick<RedisPresence, 'add' | 'remove' | 'resync'>,
    private readonly onWriteFailure: (error: unknown, operation: string) => void,
  ) {}

  async add(id: ConnectionId): Promise<void> {
    await this.local.add(id);
    await this.presence.add(id).catch((error: unknown) => this.failed(error, 'add'));
  }

  /** A node writes only its own connections: an id it does not hold is another node's business. */
  async remove(id: ConnectionId): Promise<void> {
    if (!this.local.has(id)) return;
    await this.local.remove(id);
    await this.presence.remove(id).catch((error: unknown) => this.failed(error, 'remove'));
  }

  list(): AsyncIterable<readonly ConnectionId[]> {
    return this.local.list();
  }

  /** A presence write failed since the last resync. */
  get needsResync(): boolean {
    return this.dirty;
  }

  /** Rewrites this node's presence from memory; joins a rewrite already under way. */
  resync(): Promise<void> {
    this.resyncing ??= this.rewrite().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  private async rewrite(): Promise<void> {
    this.dirty = false;
    try {
      await this.presence.resync(() => this.local.snapshot());
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private failed(error: unknown, operation: string): void {
    this.dirty = true;
    this.onWriteFailure(error, operation);
  }
}
