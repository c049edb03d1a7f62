/**
 * The tables the DynamoDB adapters read and write: the one definition that the CDK stack, the
 * local emulator and the tests create tables from.
 */
export const CONNECTIONS_TABLE_SCHEMA = {
  /** String partition key: one item per open connection. */
  partitionKey: 'connectionId',
  /** TTL attribute, epoch seconds: rows whose `$disconnect` never ran expire by themselves. */
  ttlAttribute: 'expiresAt',
} as const;

/**
 * Everything kept per room, in one partition per room: its members (a Query lists a room's
 * audience without reading any other room), its messages, and the counter that numbers them.
 */
export const ROOMS_TABLE_SCHEMA = {
  /** String partition key: the room's name, or `*` for the global audience. */
  partitionKey: 'room',
  /** String sort key: `member#<connectionId>`, `message#<id>`, or `sequence`. */
  sortKey: 'key',
  ttlAttribute: 'expiresAt',
} as const;

/** The partition of the global audience's history: `*` is never a valid room name. */
export const GLOBAL_ROOM_KEY = '*';

/** Sort keys of the rooms table. */
export const ROOM_ITEM = {
  member: (connectionId: string) => `member#${connectionId}`,
  memberPrefix: 'member#',
  message: (id: string) => `message#${id}`,
  messagePrefix: 'message#',
  sequence: 'sequence',
} as const;
