import {
  type Connection,
  type ConnectionId,
  type ConnectionRepository,
  type FrameAdmission,
  floodedLongEnough,
  floodStart,
  type Member,
  type MemberList,
  type NewConnection,
  nextArrival,
  type RateLimit,
  type RoomJoin,
  type RoomName,
} from '../../domain/index.js';

export interface InMemoryConnectionRepositoryOptions {
  /** Most members in one page of `list`. */
  readonly pageSize?: number;
}

/** A connection's record as this process keeps it: one object, shared by every room it is in. */
interface Entry {
  readonly id: ConnectionId;
  readonly format: Connection['format'];
  name: string;
  readonly user?: string;
  readonly nameLocked: boolean;
  rooms: RoomName[];
  /** The rate limit's state: when its next frame is due, and the flood it is in, if any. */
  tat?: number;
  flood?: { since: number; last: number };
}

/** No rooms yet: shared by every connection until it joins one. */
const NO_ROOMS: RoomName[] = [];

/** The connections of this process and their rooms, held in memory: the standalone default. */
export class InMemoryConnectionRepository implements ConnectionRepository {
  private readonly entries = new Map<ConnectionId, Entry>();
  private readonly rooms = new Map<RoomName, Map<ConnectionId, Entry>>();
  private readonly pageSize: number;

  constructor({ pageSize = 1000 }: InMemoryConnectionRepositoryOptions = {}) {
    if (!Number.isInteger(pageSize) || pageSize < 1) {
      throw new RangeError('pageSize must be a positive integer');
    }
    this.pageSize = pageSize;
  }

  async add({ id, format, name, user, nameLocked }: NewConnection): Promise<void> {
    this.forget(id);
    const entry: Entry =
      user === undefined
        ? { id, format, name, nameLocked, rooms: NO_ROOMS }
        : { id, format, name, user, nameLocked, rooms: NO_ROOMS };
    this.entries.set(id, entry);
  }

  async remove(id: ConnectionId): Promise<Connection | undefined> {
    return this.forget(id);
  }

  async get(id: ConnectionId): Promise<Connection | undefined> {
    return this.entries.get(id);
  }

  async admit(id: ConnectionId, limit: RateLimit, now: number): Promise<FrameAdmission> {
    const entry = this.entries.get(id);
    if (entry === undefined) return { connection: undefined, verdict: 'allowed' };
    const tat = nextArrival(entry.tat, now, limit);
    if (tat !== undefined) {
      entry.tat = tat;
      return { connection: entry, verdict: 'allowed' };
    }
    const since = floodStart(entry.flood, now, limit);
    entry.flood = { since, last: now };
    return { connection: entry, verdict: floodedLongEnough(since, now, limit) ? 'cut' : 'limited' };
  }

  async rename(id: ConnectionId, name: string): Promise<void> {
    const entry = this.entries.get(id);
    if (entry !== undefined) entry.name = name;
  }

  async joinRoom(id: ConnectionId, room: RoomName, maxRooms: number): Promise<RoomJoin> {
    const entry = this.entries.get(id);
    if (entry === undefined) return 'unknown-connection';
    if (entry.rooms.includes(room)) return 'already-member';
    if (entry.rooms.length >= maxRooms) return 'too-many-rooms';
    entry.rooms = [...entry.rooms, room];
    let members = this.rooms.get(room);
    if (members === undefined) {
      members = new Map();
      this.rooms.set(room, members);
    }
    members.set(id, entry);
    return 'joined';
  }

  async leaveRoom(id: ConnectionId, room: RoomName): Promise<boolean> {
    const entry = this.entries.get(id);
    if (entry === undefined || !entry.rooms.includes(room)) return false;
    entry.rooms = entry.rooms.filter((joined) => joined !== room);
    this.dropMember(room, id);
    return true;
  }

  /** Pages a snapshot taken when listing starts, so removals during a broadcast are safe. */
  async *list(room: RoomName | null): AsyncIterable<readonly Member[]> {
    const source = room === null ? this.entries : this.rooms.get(room);
    if (source === undefined) return;
    const snapshot = [...source.values()];
    for (let start = 0; start < snapshot.length; start += this.pageSize) {
      yield snapshot.slice(start, start + this.pageSize);
    }
  }

  async members(room: RoomName, cap: number): Promise<MemberList> {
    const members = [];
    for (const { name, user } of this.rooms.get(room)?.values() ?? []) {
      if (members.length === cap) return { members, truncated: true };
      members.push(user === undefined ? { name } : { name, user });
    }
    return { members, truncated: false };
  }

  /** Every connection present now, taken synchronously. */
  snapshot(): Connection[] {
    return [...this.entries.values()];
  }

  private forget(id: ConnectionId): Entry | undefined {
    const entry = this.entries.get(id);
    if (entry === undefined) return undefined;
    this.entries.delete(id);
    for (const room of entry.rooms) this.dropMember(room, id);
    return entry;
  }

  private dropMember(room: RoomName, id: ConnectionId): void {
    const members = this.rooms.get(room);
    members?.delete(id);
    if (members?.size === 0) this.rooms.delete(room);
  }
}
