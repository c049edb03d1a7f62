import type { ConnectionId } from './ConnectionId.js';

/**
 * Who is connected to the chat: the audience of a broadcast.
 *
 * Implementations page through their storage; `list` must never silently drop members.
 */
export interface ConnectionRepository {
  /** Records `id` as connected. Adding an id that is already present is harmless. */
  add(id: ConnectionId): Promise<void>;

  /** Forgets `id`. Removing an id that is not present is harmless. */
  remove(id: ConnectionId): Promise<void>;

  /**
   * Yields every connection present when the listing started, each exactly once, in pages of
   * at most the adapter's page size. Connections added or removed meanwhile may or may not appear.
   */
  list(): AsyncIterable<readonly ConnectionId[]>;
}
