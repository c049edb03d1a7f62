import type { ConnectionId } from './ConnectionId.js';
import type { Connection, Identity, Member } from './Member.js';
import type { FrameVerdict, RateLimit } from './RateLimit.js';
import type { RoomName } from './RoomName.js';

/** A connection as it joins the chat: in no room yet. */
export type NewConnection = Omit<Connection, 'rooms'>;

/** What became of a request to join a room. */
export type RoomJoin = 'joined' | 'already-member' | 'too-many-rooms' | 'unknown-connection';

/** A frame's sender as it sends it: its record, and what its rate limit says of the frame. */
export interface FrameAdmission {
  readonly connection: Connection | undefined;
  readonly verdict: FrameVerdict;
}

/** Who is in a room, capped, and whether the cap left some out. */
export interface MemberList {
  readonly members: readonly Identity[];
  readonly truncated: boolean;
}

/**
 * Who is connected, under which name and format, and in which rooms: the audience of every
 * broadcast. Implementations page through their storage; a listing never silently drops members.
 */
export interface ConnectionRepository {
  /** Records a connection, in no room. Adding an id that is already present replaces its record. */
  add(connection: NewConnection): Promise<void>;

  /**
   * Forgets a connection and every room membership it had; resolves with the record it had (its
   * rooms included). Removing an id that is not present is harmless and resolves undefined.
   */
  remove(id: ConnectionId): Promise<Connection | undefined>;

  /** The connection's record, or undefined when it is not known. */
  get(id: ConnectionId): Promise<Connection | undefined>;

  /**
   * Charges one frame to the connection's rate limit (see `nextArrival`), exactly even when the
   * same connection's frames are handled concurrently, and says whether it is allowed, over the
   * limit, or over it for so long (`floodedLongEnough`) that the connection is to be cut. Comes
   * with the connection's record. An unknown connection's frames are allowed.
   */
  admit(id: ConnectionId, limit: RateLimit, now: number): Promise<FrameAdmission>;

  /** Changes the connection's display name, in its record and in every room it is in. Harmless for an unknown id. */
  rename(id: ConnectionId, name: string): Promise<void>;

  /** Adds the connection to `room`, unless it is a member already or already in `maxRooms` rooms. */
  joinRoom(id: ConnectionId, room: RoomName, maxRooms: number): Promise<RoomJoin>;

  /** Removes the connection from `room`; resolves false when it was not a member. */
  leaveRoom(id: ConnectionId, room: RoomName): Promise<boolean>;

  /**
   * The audience this process delivers to: the members of `room`, or every connection when
   * `room` is null. Yields each one present when the listing started exactly once, in pages of
   * at most the adapter's page size; members added or removed meanwhile may or may not appear.
   */
  list(room: RoomName | null): AsyncIterable<readonly Member[]>;

  /** Who is in `room` across the whole chat: at most `cap` identities, and whether there are more. */
  members(room: RoomName, cap: number): Promise<MemberList>;
}
