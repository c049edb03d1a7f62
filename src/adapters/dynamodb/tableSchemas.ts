/**
 * The connections table as `DynamoDbConnectionRepository` reads and writes it: the one
 * definition that the CDK stack, the local emulator and the tests create tables from.
 */
export const CONNECTIONS_TABLE_SCHEMA = {
  /** String partition key: one item per open connection. */
  partitionKey: 'connectionId',
  /** TTL attribute, epoch seconds: rows whose `$disconnect` never ran expire by themselves. */
  ttlAttribute: 'expiresAt',
} as const;
