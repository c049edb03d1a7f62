export * from './DynamoDbAudienceParts.js';
export * from './DynamoDbConnectionRepository.js';
export * from './DynamoDbMessageHistory.js';
export * from './ensureChatTables.js';
export * from './tableSchemas.js';
