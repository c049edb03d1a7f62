import type { MessageDraft, PresenceChange } from '../../domain/index.js';

/** A room message as a node receives it from the room's channel, numbered by the append script. */
export interface MessageEnvelope {
  readonly kind: 'message';
  readonly sequence: number;
  /** The counter's epoch: a counter that was created again (a Redis restart) numbers anew. */
  readonly epoch: string;
  readonly origin: string;
  readonly originSequence: number;
  readonly draft: MessageDraft;
}

/** A presence change as a node publishes it on the room's channel. */
export interface PresenceEnvelope {
  readonly kind: 'presence';
  readonly origin: string;
  readonly originSequence: number;
  readonly change: PresenceChange;
}

export type RoomEnvelope = MessageEnvelope | PresenceEnvelope;

/** The body of a message: everything but its id, which the append script adds. */
export const encodeDraft = (draft: MessageDraft): string => JSON.stringify(draft);

/** `p\n<origin>\n<origin sequence>\n<change as JSON>`. */
export const encodePresence = (origin: string, originSequence: number, change: PresenceChange): string =>
  `p\n${origin}\n${originSequence}\n${JSON.stringify(change)}`;

/**
 * The envelope in `payload` (`m\n<seq>\n<epoch>\n<origin>\n<origin seq>\n<body>`, as the append
 * script publishes it, or a presence change), or undefined for anything else on the channel.
 */
export function decodeEnvelope(payload: string): RoomEnvelope | undefined {
  const fields: string[] = [];
  let at = 0;
  const count = payload.startsWith('m\n') ? 5 : payload.startsWith('p\n') ? 3 : 0;
  for (let i = 0; i < count; i++) {
    const end = payload.indexOf('\n', at);
    if (end === -1) return undefined;
    fields.push(payload.slice(at, end));
    at = end + 1;
  }
  if (count === 0) return undefined;
  const body = parse(payload.slice(at));
  if (body === undefined) return undefined;
  if (fields[0] === 'p') {
    const originSequence = Number(fields[2]);
    return { kind: 'presence', origin: fields[1] as string, originSequence, change: body as PresenceChange };
  }
  const [, sequence, epoch, origin, originSequence] = fields as [string, string, string, string, string];
  return {
    kind: 'message',
    sequence: Number(sequence),
    epoch,
    origin,
    originSequence: Number(originSequence),
    draft: body as MessageDraft,
  };
}

function parse(json: string): unknown {
  try {
    const value: unknown = JSON.parse(json);
    return typeof value === 'object' && value !== null ? value : undefined;
  } catch {
    return undefined;
  }
}
