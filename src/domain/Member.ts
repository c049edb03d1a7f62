import type { ConnectionId } from './ConnectionId.js';
import type { Format } from './Format.js';
import type { RoomName } from './RoomName.js';

/** Who someone is in the chat: a display name and, for a verified sign-in, the user id. */
export interface Identity {
  readonly name: string;
  /** The verified token's `sub`; absent for anonymous clients. */
  readonly user?: string;
}

/** A connection as an audience sees it: where to deliver, in which format, and who it is. */
export interface Member extends Identity {
  readonly id: ConnectionId;
  readonly format: Format;
}

/** A connection's full record. */
export interface Connection extends Member {
  /** The name comes from a verified token: `setName` may not change it. */
  readonly nameLocked: boolean;
  /** The rooms it is in, at most the configured number. */
  readonly rooms: readonly RoomName[];
}

/** The identity of a member, without its delivery details: what others may see. */
export const identityOf = ({ name, user }: Identity): Identity => (user === undefined ? { name } : { name, user });

/**
 * The name of a connection that chose none: `guest-` and four hex digits derived from its id, so
 * that it is stable for the connection's life and tells guests apart in a member list.
 */
export function guestName(id: ConnectionId): string {
  let hash = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) hash = Math.imul(hash ^ id.charCodeAt(i), 0x01000193);
  return `guest-${((hash >>> 0) & 0xffff).toString(16).padStart(4, '0')}`;
}
