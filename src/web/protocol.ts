/** The events of protocol v2 as the page receives them (`format=json`). */
export interface Identity {
  readonly name: string;
  readonly user?: string;
}

export interface Message {
  readonly id: string;
  readonly room: string | null;
  readonly from: Identity;
  readonly ts: number;
  readonly data: string;
}

export type ServerEvent =
  | ({ readonly type: 'message' } & Message)
  | { readonly type: 'presence'; readonly room: string; readonly event: 'join' | 'leave'; readonly member: Identity }
  | { readonly type: 'members'; readonly room: string; readonly members: Identity[]; readonly truncated: boolean }
  | { readonly type: 'history'; readonly room: string | null; readonly messages: Message[]; readonly complete: boolean }
  | { readonly type: 'joined' | 'left'; readonly room: string }
  | { readonly type: 'named'; readonly name: string }
  | { readonly type: 'error'; readonly code: string; readonly message: string };

/** A frame as the page reads it: an event, or undefined for anything it does not understand. */
export function parseEvent(text: string): ServerEvent | undefined {
  try {
    const value = JSON.parse(text) as { type?: unknown };
    return typeof value === 'object' && value !== null && typeof value.type === 'string'
      ? (value as ServerEvent)
      : undefined;
  } catch {
    return undefined;
  }
}
