import type { InMemoryConnectionRepository } from '../../adapters/memory/index.js';
import type { RedisConnectionRepository } from '../../adapters/redis/index.js';
import type { ConnectionId, ConnectionRepository } from '../../domain/index.js';

/** What the membership needs of the cluster-wide directory. */
export type Directory = Pick<RedisConnectionRepository, 'add' | 'remove' | 'resync'>;

/**
 * A cluster node's audience: the connections of this node, listed from memory, so a broadcast
 * costs Redis nothing per recipient. Joins and leaves are written through to the cluster-wide
 * directory; a write that fails (Redis unreachable) does not stop the local chat: the node
 * resyncs the directory from memory once Redis is back.
 */
export class ClusterMembership implements ConnectionRepository {
  private dirty = false;
  private resyncing: Promise<void> | undefined;

  constructor(
    private readonly local: InMemoryConnectionRepository,
    private readonly directory: Directory,
    private readonly onDirectoryFailure: (error: unknown, operation: string) => void,
  ) {}

  async add(id: ConnectionId): Promise<void> {
    await this.local.add(id);
    await this.directory.add(id).catch((error: unknown) => this.failed(error, 'add'));
  }

  /** A node writes only its own connections: an id it does not hold is another node's business. */
  async remove(id: ConnectionId): Promise<void> {
    if (!this.local.has(id)) return;
    await this.local.remove(id);
    await this.directory.remove(id).catch((error: unknown) => this.failed(error, 'remove'));
  }

  list(): AsyncIterable<readonly ConnectionId[]> {
    return this.local.list();
  }

  /** A directory write failed since the last resync. */
  get needsResync(): boolean {
    return this.dirty;
  }

  /** Rewrites this node's directory entries from memory; joins a rewrite already under way. */
  resync(): Promise<void> {
    this.resyncing ??= this.rewrite().finally(() => {
      this.resyncing = undefined;
    });
    return this.resyncing;
  }

  private async rewrite(): Promise<void> {
    this.dirty = false;
    try {
      await this.directory.resync(() => this.local.snapshot());
    } catch (error) {
      this.dirty = true;
      throw error;
    }
  }

  private failed(error: unknown, operation: string): void {
    this.dirty = true;
    this.onDirectoryFailure(error, operation);
  }
}
