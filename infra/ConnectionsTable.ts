import type { Construct } from 'constructs';
import { CONNECTIONS_TABLE_SCHEMA } from '../src/adapters/dynamodb/tableSchemas.js';
import { ChatTable, type ChatTableProps } from './ChatTable.js';

/**
 * The table `DynamoDbConnectionRepository` keeps connections in, as `CONNECTIONS_TABLE_SCHEMA`
 * defines it: one item per open connection, expiring through its TTL attribute so that rows whose
 * `$disconnect` never arrived do not linger.
 */
export class ConnectionsTable extends ChatTable {
  constructor(scope: Construct, id: string, props: ChatTableProps) {
    super(scope, id, {
      ...props,
      schema: CONNECTIONS_TABLE_SCHEMA,
      withoutBackups: 'rows live at most 2 hours (TTL) and name sockets that a restore cannot bring back.',
    });
  }
}
