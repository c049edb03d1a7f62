export * from './connectionsTableSchema.js';
export * from './DynamoDbConnectionRepository.js';
export * from './ensureConnectionsTable.js';
