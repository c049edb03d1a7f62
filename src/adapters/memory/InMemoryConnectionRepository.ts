import type { ConnectionId, ConnectionRepository } from '../../domain/index.js';

export interface InMemoryConnectionRepositoryOptions {
  /** Most ids in one page of `list`. */
  readonly pageSize?: number;
}

/** The connections of this process, held in memory: the standalone default. */
export class InMemoryConnectionRepository implements ConnectionRepository {
  private readonly ids = new Set<ConnectionId>();
  private readonly pageSize: number;

  constructor({ pageSize = 1000 }: InMemoryConnectionRepositoryOptions = {}) {
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new RangeError('pageSize must be a positive integer');
    }
    this.pageSize = pageSize;
  }

  async add(id: ConnectionId): Promise<void> {
    this.ids.add(id);
  }

  async remove(id: ConnectionId): Promise<void> {
    this.ids.delete(id);
  }

  /** Pages a snapshot taken when listing starts, so removals during a broadcast are safe. */
  async *list(): AsyncIterable<readonly ConnectionId[]> {
    const snapshot = [...this.ids];
    for (let start = 0; start < snapshot.length; start += this.pageSize) {
      yield snapshot.slice(start, start + this.pageSize);
    }
  }

  /** Whether `id` is present. */
  has(id: ConnectionId): boolean {
    return this.ids.has(id);
  }

  /** Every connection present now, taken synchronously. */
  snapshot(): ConnectionId[] {
    return [...this.ids];
  }

  /** How many connections are present. */
  get size(): number {
    return this.ids.size;
  }
}
