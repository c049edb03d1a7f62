import type {
  Connection,
  ConnectionId,
  ConnectionRepository,
  FrameAdmission,
  Member,
  MemberList,
  NewConnection,
  RateLimit,
  RoomJoin,
  RoomName,
} from '../../domain/index.js';
import type { RedisPresence } from './RedisPresence.js';

/** This node's own connections, held in its memory (the in-memory repository fits). */
export interface LocalConnections extends ConnectionRepository {
  /** Every connection present now, taken synchronously. */
  snapshot(): Connection[];
}

/** The rooms this node listens to, because it has members in them. */
export interface RoomListeners {
  retain(room: RoomName): Promise<void>;
  release(room: RoomName): Promise<void>;
}

/**
 * A cluster node's connections: its audience is listed from memory, so a broadcast costs Redis
 * nothing per recipient; every join, leave and rename is written through to the cluster-wide
 * presence, which member lists read; and the node listens to the channel of each room it has a
 * member in, from before it says the member joined. A presence write that fails (Redis
 * unreachable) does not stop the local chat: the node rewrites its presence from memory once
 * Redis is back, and lists members from memory meanwhile.
 */
export class RedisConnectionRepository implements ConnectionRepository {
  private dirty = false;
  private resyncing: Promise<void> | undefined;

  constructor(
    private readonly local: LocalConnections,
    private readonly presence: Pick<
      RedisPresence,
      'add' | 'remove' | 'joinRoom' | 'leaveRoom' | 'rename' | 'resync' | 'members'
    >,
    private readonly listeners: RoomListeners,
    private readonly onWriteFailure: (error: unknown, operation: string) => void,
  ) {}

  async add(connection: NewConnection): Promise<void> {
    await this.local.add(connection);
    await this.presence.add(connection).catch((error: unknown) => this.failed(error, 'add'));
  }

  /** A node writes only its own connections: an id it does not hold is another node's business. */
  async remove(id: ConnectionId): Promise<Connection | undefined> {
    const removed = await this.local.remove(id);
    if (removed === undefined) return undefined;
    await this.presence.remove(id, removed.rooms).catch((error: unknown) => this.failed(error, 'remove'));
    for (const room of removed.rooms) await this.listeners.release(room);
    return removed;
  }

  get(id: ConnectionId): Promise<Connection | undefined> {
    return this.local.get(id);
  }

  /** A connection's frames all reach the node that holds it: its limit is kept in memory there. */
  admit(id: ConnectionId, limit: RateLimit, now: number): Promise<FrameAdmission> {
    return this.local.admit(id, limit, now);
  }

  async rename(id: ConnectionId, name: string): Promise<void> {
    await this.local.rename(id, name);
    const renamed = await this.local.get(id);
    if (renamed !== undefined)
      await this.presence.rename(renamed).catch((error: unknown) => this.failed(error, 'rename'));
  }

  async joinRoom(id: ConnectionId, room: RoomName, maxRooms: number): Promise<RoomJoin> {
    const outcome = await this.local.joinRoom(id, room, maxRooms);
    if (outcome !== 'joined') return outcome;
    await this.listeners.retain(room);
    const member = (await this.local.get(id)) as Member;
    await this.presence.joinRoom(member, room).catch((error: unknown) => this.failed(error, 'joinRoom'));
    return outcome;
  }

  async leaveRoom(id: ConnectionId, room: RoomName): Promise<boolean> {
    if (!(await this.local.leaveRoom(id, room))) return false;
    await this.presence.leaveRoom(id, room).catch((error: unknown) => this.failed(error, 'leaveRoom'));
    await this.listeners.release(room);
    return true;
  }

  list(room: RoomName | null): AsyncIterable<readonly Member[]> {
    return this.local.list(room);
  }

  async members(room: RoomName, cap: number): Promise<MemberList> {
    try {
      return await this.presence.members(room, cap);
    } catch (error) {
      this.onWriteFailure(error, 'members');
      return this.local.members(room, cap);
    }
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
