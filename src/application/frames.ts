import type { ChatMessage, ClientError, Identity, PresenceChange, RoomName } from '../domain/index.js';

/**
 * The JSON events of protocol v2, one object per frame. Text-format clients receive a message as
 * its `data` and an error as `Error: <text>`; every other event reaches them as this JSON too.
 */
export type ChatEventFrame =
  | ({ readonly type: 'message' } & ChatMessage)
  | { readonly type: 'presence'; readonly room: RoomName; readonly event: 'join' | 'leave'; readonly member: Identity }
  | {
      readonly type: 'members';
      readonly room: RoomName;
      readonly members: readonly Identity[];
      readonly truncated: boolean;
    }
  | {
      readonly type: 'history';
      readonly room: RoomName | null;
      readonly messages: readonly ChatMessage[];
      readonly complete: boolean;
    }
  | { readonly type: 'joined' | 'left'; readonly room: RoomName }
  | { readonly type: 'named'; readonly name: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

export const encodeEvent = (event: ChatEventFrame): string => JSON.stringify(event);

/** A stored message as the json event carries it: fields in a fixed order, `user` only when known. */
export function messageEvent(message: ChatMessage): ChatEventFrame {
  return { type: 'message', ...wireMessage(message) };
}

/** A page of a room's history: each message as a `message` event carries it, without the type. */
export function historyEvent(
  room: RoomName | null,
  messages: readonly ChatMessage[],
  complete: boolean,
): ChatEventFrame {
  return { type: 'history', room, messages: messages.map(wireMessage), complete };
}

const wireMessage = ({ id, room, from, ts, data }: ChatMessage): ChatMessage => ({
  id,
  room,
  from: identity(from),
  ts,
  data,
});

export function presenceEvent({ room, event, member }: PresenceChange): ChatEventFrame {
  return { type: 'presence', room, event, member: identity(member) };
}

export function errorEvent(error: Pick<ClientError, 'code' | 'message'>): ChatEventFrame {
  return { type: 'error', code: error.code, message: error.message };
}

const identity = ({ name, user }: Identity): Identity => (user === undefined ? { name } : { name, user });

/** What members are told when messages of their room were lost in transit and cannot be recovered. */
export function lostFrames(room: RoomName | null, count: number | undefined): { text: string; json: string } {
  const what = count === undefined ? 'Some messages' : `${count} message${count === 1 ? '' : 's'}`;
  const message = `${what} ${room === null ? 'to everyone' : `in room ${room}`} could not be delivered`;
  return { text: `Error: ${message}`, json: encodeEvent({ type: 'error', code: 'MESSAGES_LOST', message }) };
}
