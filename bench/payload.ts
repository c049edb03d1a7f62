/**
 * The `data` a sender broadcasts: `<sender>:<seq>:<sentMicros>:` then padding up to the payload
 * size. Digits, colons and `x` only, so it needs no JSON escaping and the receiver can read it
 * straight from the frame's bytes without decoding a string.
 */
export interface PayloadFields {
  readonly sender: number;
  readonly seq: number;
  readonly sentMicros: number;
}

const COLON = 0x3a;
const ZERO = 0x30;

/** The data field for one message, padded with `x` to `size` characters when it is shorter. */
export function encodePayload(fields: PayloadFields, size: number): string {
  const head = `${fields.sender}:${fields.seq}:${fields.sentMicros}:`;
  return head.length >= size ? head : head + 'x'.repeat(size - head.length);
}

/** The client frame that sends `data` to everyone, or to `room`. */
export function sendMessageFrame(data: string, room?: string): string {
  return room === undefined
    ? `{"action":"sendMessage","data":"${data}"}`
    : `{"action":"sendMessage","room":"${room}","data":"${data}"}`;
}

const OPEN_BRACE = 0x7b;
const DATA_FIELD = Buffer.from('"data":"');

/**
 * Reads the fields back from a received frame, a text client's (the data itself) or a json
 * client's (a `message` event holding it); undefined when the frame is not one of ours.
 */
export function decodePayload(bytes: Buffer): PayloadFields | undefined {
  let start = 0;
  if (bytes[0] === OPEN_BRACE) {
    const at = bytes.indexOf(DATA_FIELD);
    if (at < 0) return undefined;
    start = at + DATA_FIELD.length;
  }
  const values = [0, 0, 0];
  let field = 0;
  let digits = 0;
  for (let i = start; i < bytes.length && field < 3; i++) {
    const byte = bytes[i] as number;
    if (byte === COLON) {
      if (digits === 0) return undefined;
      field++;
      digits = 0;
      continue;
    }
    const digit = byte - ZERO;
    if (digit < 0 || digit > 9) return undefined;
    values[field] = (values[field] as number) * 10 + digit;
    digits++;
  }
  if (field < 3) return undefined;
  return { sender: values[0] as number, seq: values[1] as number, sentMicros: values[2] as number };
}
