import { type ClientError, InvalidRoomNameError } from './ClientError.js';

/** A valid room name: 1 to 64 of `[A-Za-z0-9._-]`. */
export type RoomName = string & { readonly __brand: 'RoomName' };

const ROOM_NAME = /^[A-Za-z0-9._-]{1,64}$/;

/** The room a client named, or the error it receives. */
export function parseRoomName(value: unknown): RoomName | ClientError {
  return typeof value === 'string' && ROOM_NAME.test(value) ? (value as RoomName) : new InvalidRoomNameError();
}
