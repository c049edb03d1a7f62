/** One relayed frame as it travels on the broadcast channel. */
export interface RelayEnvelope {
  /** The node that relayed it. */
  readonly origin: string;
  /** 1, 2, 3... per origin, in relay order. */
  readonly sequence: number;
  readonly frame: string;
}

/** `<origin>\n<sequence>\n<frame>`: the frame travels as is, never re-encoded. */
export function encodeEnvelope({ origin, sequence, frame }: RelayEnvelope): string {
  return `${origin}\n${sequence}\n${frame}`;
}

/** The envelope in `message`, or undefined for anything else on the channel. */
export function decodeEnvelope(message: string): RelayEnvelope | undefined {
  const first = message.indexOf('\n');
  const second = first === -1 ? -1 : message.indexOf('\n', first + 1);
  if (second === -1) return undefined;
  const sequence = Number(message.slice(first + 1, second));
  if (!Number.isSafeInteger(sequence) || sequence < 1) return undefined;
  return { origin: message.slice(0, first), sequence, frame: message.slice(second + 1) };
}
