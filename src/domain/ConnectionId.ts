/** Opaque identity of one client connection, unique across the whole chat. */
export type ConnectionId = string & { readonly __brand: 'ConnectionId' };

/** Largest id we accept; API Gateway's ids are 16 characters, ours are UUIDs. */
const MAX_LENGTH = 128;

/** Wraps a transport-issued id. Throws on an empty or oversized id: that is a bug, not client input. */
export function toConnectionId(value: string): ConnectionId {
  if (value.length === 0 || value.length > MAX_LENGTH) {
    throw new RangeError(`connection id must be 1..${MAX_LENGTH} characters, got ${value.length}`);
  }
  return value as ConnectionId;
}
