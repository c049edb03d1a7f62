import type { Construct } from 'constructs';
import { ROOMS_TABLE_SCHEMA } from '../src/adapters/dynamodb/tableSchemas.js';
import { ChatTable, type ChatTableProps } from './ChatTable.js';

/**
 * The table `DynamoDbConnectionRepository` keeps room memberships in and `DynamoDbMessageHistory`
 * keeps messages and their counters in, as `ROOMS_TABLE_SCHEMA` defines it: one partition per
 * room, every item expiring through its TTL attribute (a membership with its connection, a
 * message with the history's retention).
 */
export class RoomsTable extends ChatTable {
  constructor(scope: Construct, id: string, props: ChatTableProps) {
    super(scope, id, {
      ...props,
      schema: ROOMS_TABLE_SCHEMA,
      withoutBackups:
        'memberships live at most 2 hours and messages at most the history retention (24 hours by ' +
        'default), all through TTL; a restore would bring back members whose sockets are gone.',
    });
  }
}
